#pragma once
// Checked reading of one TOML table of a scenario. Every key a reader is asked for is
// marked as known; done() rejects whatever key is left. A value that is missing gets
// its default written back into the table (unless the reader was made with
// Defaults::leave_out), so that the table, serialised, is the fully resolved scenario.
// Every error names FILE:LINE:COL and the key's dotted path.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace stackrace::detail {

struct Bounds {
  double lo;
  double hi;
  bool lo_open = false;  // lo itself is not allowed (e.g. a price must be > 0)
};

// Where a scenario's nodes came from. Nodes the program makes have no source of their
// own (toml++ does not copy positions), so `origins` records one for them: the text of a
// command-line override, or the FILE:LINE:COL of the node they replace or copy.
struct ScenarioSource {
  struct Origin {
    std::string where;  // FILE:LINE:COL, or the command-line text
    std::string file;   // the file it was written in ("" for the command line)
  };
  std::string file;
  std::map<const toml::node*, Origin> origins;
  // `[[countries]]` elements that `--set countries.ID.KEY=...` made for a country no
  // element named: each must name a row of the country table (read_countries checks).
  std::set<const toml::node*> table_countries_set;

  std::string location(const toml::node* at) const;  // FILE:LINE:COL, or the recorded origin
  std::string file_of(const toml::node* at) const;   // the file a node was written in, else `file`
  // Puts `value` at `key` in `table`, keeping `from`'s origin for error messages.
  template <class Value>
  const toml::node* replace(toml::table& table, std::string_view key, Value&& value, const toml::node* from) {
    Origin origin{location(from), file_of(from)};
    const toml::node* made = &table.insert_or_assign(key, std::forward<Value>(value)).first->second;
    origins[made] = std::move(origin);
    return made;
  }
};

// Whether a reader writes the defaults of missing keys back into its table. Tables that
// the resolved text rebuilds from what was read (the countries) leave them out: there
// are hundreds of such keys, and writing each back costs more than reading it.
enum class Defaults { write_back, leave_out };

class TableReader {
 public:
  TableReader(toml::table& table, std::string path, ScenarioSource& source, Defaults defaults = Defaults::write_back);

  double number(std::string_view key, Bounds bounds, std::optional<double> fallback);
  std::int64_t integer(std::string_view key, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t> fallback);
  std::string text(std::string_view key, std::optional<std::string> fallback);
  // A name that names an output file, results/<name>.h5 (`scenario.name`, a sweep's or
  // calibration's `name`): non-empty, at most 100 bytes, without slashes, backslashes,
  // `..` or control characters, so that it names one file inside results/.
  std::string output_name(std::string_view key, std::string fallback);
  bool boolean(std::string_view key, bool fallback);
  // A string that must be one of `options`.
  std::string one_of(std::string_view key, std::initializer_list<std::string_view> options,
                     std::optional<std::string> fallback);
  // A sub-table; when absent and not required, an empty one is inserted (its keys get defaults).
  toml::table& table(std::string_view key, bool required);
  toml::array& array_of_tables(std::string_view key, bool required);
  bool has(std::string_view key) const { return table_.contains(key); }
  const toml::node* node(std::string_view key) const { return table_.get(key); }
  toml::table& raw() { return table_; }
  void known(std::string_view key) { known_.emplace(key); }  // read by hand, not through a typed getter

  // Rejects every key no one asked for.
  void done() const;

  std::string key_path(std::string_view key) const;
  [[noreturn]] void fail_at(const toml::node* at, std::string_view key, const std::string& what) const;

 private:
  toml::node* require(std::string_view key, bool required);
  template <class Value>
  void write_default(std::string_view key, Value&& value) {
    if (defaults_ == Defaults::write_back) table_.insert_or_assign(key, std::forward<Value>(value));
  }

  toml::table& table_;
  std::string path_;  // dotted path of this table, "" at the root
  ScenarioSource& source_;
  Defaults defaults_;
  std::set<std::string, std::less<>> known_;
};

// The file a key names (`base`, `scenario`, `record`): a path relative to the file the
// key is written in, which must be readable; `what` names it in the error.
std::string file_named(TableReader& r, std::string_view key, const ScenarioSource& source, const std::string& what);

// Letters, digits and the given extra characters, starting with a letter or digit.
bool is_identifier(const std::string& text, std::string_view extra);

}  // namespace stackrace::detail
