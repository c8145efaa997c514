#include "worlds/detail/table_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "worlds/detail/input_file.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace::detail {

std::string ScenarioSource::location(const toml::node* at) const {
  if (auto it = origins.find(at); it != origins.end()) return it->second.where;
  std::ostringstream out;
  if (at && at->source().begin.line > 0) {
    const auto& src = at->source();
    out << (src.path ? *src.path : file) << ':' << src.begin.line << ':' << src.begin.column;
  } else {
    out << file << ":1:1";
  }
  return out.str();
}

namespace {
std::string found(const toml::node& node) {
  return "found " + std::string(toml::impl::node_type_friendly_names[unsigned(node.type())]);
}

std::string describe(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}
}  // namespace

std::string ScenarioSource::file_of(const toml::node* at) const {
  if (auto it = origins.find(at); it != origins.end()) return it->second.file.empty() ? file : it->second.file;
  if (at && at->source().path) return *at->source().path;
  return file;
}

TableReader::TableReader(toml::table& table, std::string path, ScenarioSource& source, Defaults defaults)
    : table_(table), path_(std::move(path)), source_(source), defaults_(defaults) {}

std::string TableReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void TableReader::fail_at(const toml::node* at, std::string_view key, const std::string& what) const {
  throw ScenarioError(source_.location(at ? at : &table_) + ": " + key_path(key) + ": " + what);
}

toml::node* TableReader::require(std::string_view key, bool required) {
  known_.emplace(key);
  toml::node* node = table_.get(key);
  if (!node && required) fail_at(&table_, key, "required key is missing");
  return node;
}

double TableReader::number(std::string_view key, Bounds b, std::optional<double> fallback) {
  toml::node* node = require(key, !fallback);
  if (!node) {
    write_default(key, *fallback);
    return *fallback;
  }
  double x;
  if (auto i = node->as_integer()) {
    x = static_cast<double>(i->get());
  } else if (auto f = node->as_floating_point()) {
    x = f->get();
  } else {
    fail_at(node, key, "expected a number, " + found(*node));
  }
  if (!std::isfinite(x)) fail_at(node, key, "must be a finite number, not " + describe(x));
  bool too_low = b.lo_open ? !(x > b.lo) : !(x >= b.lo);
  if (too_low || x > b.hi) {
    fail_at(node, key, describe(x) + " is out of range: must be " + (b.lo_open ? "> " : ">= ") + describe(b.lo) +
                           " and <= " + describe(b.hi));
  }
  return x;
}

std::int64_t TableReader::integer(std::string_view key, std::int64_t lo, std::int64_t hi,
                                  std::optional<std::int64_t> fallback) {
  toml::node* node = require(key, !fallback);
  if (!node) {
    write_default(key, *fallback);
    return *fallback;
  }
  std::int64_t n;
  if (auto i = node->as_integer()) {
    n = i->get();
  } else if (auto f = node->as_floating_point()) {
    // 1e6 is a natural way to write a million agents; accept it when it is a whole number.
    double x = f->get();
    if (!std::isfinite(x) || x != std::floor(x) || std::fabs(x) > 9.0e18)
      fail_at(node, key, "expected a whole number, found " + describe(x));
    n = static_cast<std::int64_t>(x);
    node = const_cast<toml::node*>(source_.replace(table_, key, n, node));
  } else {
    fail_at(node, key, "expected an integer, " + found(*node));
  }
  if (n < lo || n > hi)
    fail_at(node, key, std::to_string(n) + " is out of range: must be >= " + std::to_string(lo) + " and <= " + std::to_string(hi));
  return n;
}

std::string TableReader::text(std::string_view key, std::optional<std::string> fallback) {
  toml::node* node = require(key, !fallback);
  if (!node) {
    write_default(key, *fallback);
    return *fallback;
  }
  auto s = node->as_string();
  if (!s) fail_at(node, key, "expected a string, " + found(*node));
  return s->get();
}

namespace {

// results/NAME.h5.partial must fit in a file name (255 bytes), for compare's
// results/compare-BASE-ALTERNATIVE.h5 too.
constexpr std::size_t longest_output_name = 100;

// A name that stays one file inside results/: no folder separators, no `..`, and no
// control characters (a NUL would cut the path short, so that another file is written).
bool is_output_name(const std::string& name) {
  if (name.empty() || name.size() > longest_output_name) return false;
  if (name.find_first_of("/\\") != std::string::npos || name.find("..") != std::string::npos) return false;
  return std::none_of(name.begin(), name.end(), [](char ch) { return std::iscntrl(static_cast<unsigned char>(ch)); });
}

}  // namespace

std::string TableReader::output_name(std::string_view key, std::string fallback) {
  const bool given = has(key);
  std::string name = text(key, std::move(fallback));
  if (!is_output_name(name))
    fail_at(table_.get(key), key,
            "must be a non-empty name of at most " + std::to_string(longest_output_name) +
                " bytes without slashes, backslashes, '..' or control characters (it names the output file, "
                "results/NAME.h5" + (given ? ")" : "; without it, the file's own name is taken)"));
  return name;
}

bool TableReader::boolean(std::string_view key, bool fallback) {
  toml::node* node = require(key, false);
  if (!node) {
    write_default(key, fallback);
    return fallback;
  }
  auto b = node->as_boolean();
  if (!b) fail_at(node, key, "expected true or false, " + found(*node));
  return b->get();
}

std::string TableReader::one_of(std::string_view key, std::initializer_list<std::string_view> options,
                                std::optional<std::string> fallback) {
  std::string value = text(key, std::move(fallback));
  std::string allowed;
  for (std::string_view option : options) {
    if (value == option) return value;
    allowed += (allowed.empty() ? "" : ", ") + std::string(option);
  }
  fail_at(table_.get(key), key, "'" + value + "' is not one of: " + allowed);
}

toml::table& TableReader::table(std::string_view key, bool required) {
  toml::node* node = require(key, required);
  if (!node) return *table_.insert_or_assign(key, toml::table{}).first->second.as_table();
  auto t = node->as_table();
  if (!t) fail_at(node, key, "expected a table");
  return *t;
}

toml::array& TableReader::array_of_tables(std::string_view key, bool required) {
  toml::node* node = require(key, required);
  if (!node) return *table_.insert_or_assign(key, toml::array{}).first->second.as_array();
  auto a = node->as_array();
  if (!a) fail_at(node, key, "expected an array of tables ([[" + key_path(key) + "]])");
  for (auto& element : *a)
    if (!element.is_table()) fail_at(&element, key, "every element must be a table");
  return *a;
}

namespace {

// The edit distance between two keys (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

void TableReader::done() const {
  for (auto&& [key, value] : table_) {
    if (known_.contains(key.str())) continue;
    // A misspelt key is most often one letter or two from the one meant.
    std::string closest;
    std::size_t best = 3;
    for (const std::string& known : known_) {
      const std::size_t d = edit_distance(key.str(), known);
      if (d < best) best = d, closest = known;
    }
    fail_at(&value, key.str(), closest.empty() ? "unknown key" : "unknown key (did you mean '" + closest + "'?)");
  }
}

bool is_identifier(const std::string& text, std::string_view extra) {
  if (text.empty() || !std::isalnum(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.end(), [&](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || extra.find(ch) != std::string_view::npos;
  });
}

std::string file_named(TableReader& r, std::string_view key, const ScenarioSource& source, const std::string& what) {
  std::filesystem::path path(r.text(key, std::nullopt));
  if (path.is_relative()) path = std::filesystem::path(source.file_of(r.node(key))).parent_path() / path;
  const std::string named = path.lexically_normal().string();
  if (auto problem = unreadable_file(named)) r.fail_at(r.node(key), key, "cannot read " + what + ": " + *problem + ": " + named);
  return named;
}

}  // namespace stackrace::detail
