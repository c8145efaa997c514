#include "worlds/csv_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "worlds/detail/input_file.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace {
namespace {

struct ParsedLine {
  std::vector<std::string> cells;
  std::vector<std::size_t> columns;  // 1-based column where each cell starts
};

// One CSV record on one line: cells split at commas, "quoted, cells" allowed, "" inside
// quotes is a quote. (The table has no line breaks inside cells.)
ParsedLine split_csv(const std::string& line, const std::string& path, std::size_t line_number) {
  ParsedLine out;
  std::string cell;
  bool quoted = false;
  out.columns.push_back(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') cell += '"', ++i;
      else if (ch == '"') quoted = false;
      else cell += ch;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.cells.push_back(cell);
      cell.clear();
      out.columns.push_back(i + 2);
    } else if (ch != '\r') {
      cell += ch;
    }
  }
  if (quoted) throw ScenarioError(path + ":" + std::to_string(line_number) + ":1: unterminated quoted cell");
  out.cells.push_back(cell);
  return out;
}

}  // namespace

CsvTable CsvTable::read(const std::string& path, const std::string& what) {
  if (auto problem = detail::unreadable_file(path)) throw ScenarioError(path + ":1:1: cannot read " + what + ": " + *problem);
  std::ifstream in(path);
  if (!in) throw ScenarioError(path + ":1:1: cannot open " + what);
  CsvTable table;
  table.path_ = path;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    ParsedLine parsed = split_csv(line, path, number);
    if (table.header_.empty()) {
      table.header_ = parsed.cells;
      continue;
    }
    if (parsed.cells.size() != table.header_.size())
      throw ScenarioError(path + ":" + std::to_string(number) + ":1: expected " + std::to_string(table.header_.size()) +
                          " cells as in the header, found " + std::to_string(parsed.cells.size()));
    table.cells_.push_back(std::move(parsed.cells));
    table.column_.push_back(std::move(parsed.columns));
    table.line_.push_back(number);
  }
  if (table.header_.empty()) throw ScenarioError(path + ":1:1: " + what + " is empty");
  return table;
}

void CsvTable::fail(std::size_t row, std::size_t column, const std::string& what) const {
  std::ostringstream out;
  out << path_ << ':' << line_[row] << ':' << column_[row][column] << ": column " << header_[column] << ": " << what;
  throw ScenarioError(out.str());
}

bool CsvTable::has_column(const std::string& column) const {
  return std::find(header_.begin(), header_.end(), column) != header_.end();
}

std::size_t CsvTable::column_index(const std::string& column) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == column) return i;
  throw ScenarioError(path_ + ":1:1: column " + column + ": missing from the header");
}

const std::string& CsvTable::text(std::size_t row, const std::string& column) const {
  return cells_[row][column_index(column)];
}

std::optional<double> CsvTable::number(std::size_t row, const std::string& column, double lo, double hi,
                                           bool optional) const {
  std::size_t c = column_index(column);
  const std::string& cell = cells_[row][c];
  if (cell.empty()) {
    if (optional) return std::nullopt;
    fail(row, c, "a number is required");
  }
  double x = 0;
  auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
  if (ec != std::errc{} || end != cell.data() + cell.size()) fail(row, c, "'" + cell + "' is not a number");
  if (!std::isfinite(x)) fail(row, c, "must be a finite number");
  if (x < lo || x > hi) {
    std::ostringstream what;
    what << x << " is out of range: must be >= " << lo << " and <= " << hi;
    fail(row, c, what.str());
  }
  return x;
}

std::int64_t CsvTable::integer(std::size_t row, const std::string& column, std::int64_t lo,
                                  std::int64_t hi) const {
  const double x = *number(row, column, static_cast<double>(lo), static_cast<double>(hi));
  if (x != std::floor(x)) fail(row, column, "'" + text(row, column) + "' is not a whole number");
  return static_cast<std::int64_t>(x);
}

const std::string& CsvTable::one_of(std::size_t row, const std::string& column,
                                        std::initializer_list<std::string_view> options) const {
  const std::string& cell = text(row, column);
  std::string allowed;
  for (std::string_view option : options) {
    if (cell == option) return cell;
    allowed += (allowed.empty() ? "" : ", ") + std::string(option);
  }
  fail(row, column, "'" + cell + "' is not one of: " + allowed);
}

void CsvTable::fail(std::size_t row, const std::string& column, const std::string& what) const {
  fail(row, column_index(column), what);
}

}  // namespace stackrace
