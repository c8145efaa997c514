#include "worlds/record_loader.hpp"

#include <set>

#include "model/month.hpp"
#include "worlds/csv_table.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace {

std::vector<RecordTarget> load_record(const std::string& path) {
  const CsvTable table = CsvTable::read(path, "the record");
  for (const char* column : {"id", "description", "quantity", "kind", "stack", "country", "firm_size", "date", "value", "low",
                             "high", "source"})
    if (!table.has_column(column))
      throw ScenarioError(path + ":1:1: column " + std::string(column) + ": missing from the header");
  std::vector<RecordTarget> targets;
  std::set<std::string> ids;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    RecordTarget t;
    t.line = static_cast<int>(table.line(row));
    t.id = table.text(row, "id");
    if (t.id.empty()) table.fail(row, "id", "empty");
    if (!ids.insert(t.id).second) table.fail(row, "id", "'" + t.id + "' is used twice");
    t.description = table.text(row, "description");
    t.quantity = table.one_of(row, "quantity", {"adoption", "stack_share_of_users", "capability_gap_months", "price",
                                                "token_share"});
    t.kind = table.one_of(row, "kind", {"country", "firm", "developer", "population", ""});
    t.stack = table.text(row, "stack");
    t.country = table.text(row, "country");
    t.firm_size = table.one_of(row, "firm_size", {"", "small", "medium", "large"});
    t.date = table.text(row, "date");
    if (!is_month(t.date)) table.fail(row, "date", "'" + t.date + "' is not a month written YYYY-MM");
    t.value = *table.number(row, "value", -1e12, 1e12);
    t.low = *table.number(row, "low", -1e12, 1e12);
    t.high = *table.number(row, "high", -1e12, 1e12);
    if (!(t.low <= t.value && t.value <= t.high))
      table.fail(row, "low", "expected low <= value <= high, got " + table.text(row, "low") +
                                 " <= " + table.text(row, "value") + " <= " + table.text(row, "high"));
    if (table.text(row, "source").empty()) table.fail(row, "source", "every target names its source");
    targets.push_back(std::move(t));
  }
  return targets;
}

}  // namespace stackrace
