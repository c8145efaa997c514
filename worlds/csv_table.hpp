#pragma once
// A data table in CSV: the country table (worlds/data/countries.csv, one row per
// country, every number sourced in worlds/data/SOURCES-countries.md) and the record
// (worlds/record/record.csv). Reading it checks every cell; errors read
// `FILE:LINE:COL: column NAME: what`.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stackrace {

class CsvTable {
 public:
  // Reads a CSV file with a header row (RFC 4180 quoting); `what` names it in messages
  // ("the country table"). Lines that start with # are comments. Throws ScenarioError,
  // before reading anything, for a path that is no regular file or a file larger than
  // any input (detail::unreadable_file).
  static CsvTable read(const std::string& path, const std::string& what = "the country table");

  std::size_t rows() const { return cells_.size(); }
  const std::string& text(std::size_t row, const std::string& column) const;
  // A number in [lo, hi], or nullopt where the cell is empty and `optional` is true.
  std::optional<double> number(std::size_t row, const std::string& column, double lo, double hi,
                               bool optional = false) const;
  // A whole number in [lo, hi] (a tier, a level): 2.9 is refused, not truncated.
  std::int64_t integer(std::size_t row, const std::string& column, std::int64_t lo, std::int64_t hi) const;
  // A cell that must be exactly one of `options`.
  const std::string& one_of(std::size_t row, const std::string& column,
                            std::initializer_list<std::string_view> options) const;
  // Throws ScenarioError at the cell: `FILE:LINE:COL: column NAME: what`.
  [[noreturn]] void fail(std::size_t row, const std::string& column, const std::string& what) const;
  std::size_t line(std::size_t row) const { return line_[row]; }
  bool has_column(const std::string& column) const;
  const std::vector<std::string>& header() const { return header_; }

 private:
  [[noreturn]] void fail(std::size_t row, std::size_t column, const std::string& what) const;
  std::size_t column_index(const std::string& column) const;

  std::string path_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> cells_;
  std::vector<std::size_t> line_;                  // file line of each row
  std::vector<std::vector<std::size_t>> column_;   // file column where each cell starts
};

}  // namespace stackrace
