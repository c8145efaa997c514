#include "worlds/posterior_link.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "worlds/csv_table.hpp"
#include "worlds/scenario_overrides.hpp"

namespace stackrace::detail {

void read_posterior_link(TableReader& root, Scenario& s, ScenarioSource& source) {
  if (!root.has("posterior")) return;
  toml::table& table = root.table("posterior", true);
  TableReader r(table, "posterior", source);
  PosteriorTable link;
  link.file = std::filesystem::absolute(file_named(r, "file", source, "the posterior's draws")).string();
  // Written back resolved: a scenario stored in a result file names the same draws.
  source.replace(table, "file", link.file, r.node("file"));
  if (link.file.size() < 4 || link.file.substr(link.file.size() - 4) != ".csv")
    r.fail_at(r.node("file"), "file", "expected a table of draws (.csv): a header of scenario keys, a row per draw");
  const CsvTable draws = CsvTable::read(link.file, "the posterior");
  if (!r.has("keys")) r.fail_at(nullptr, "keys", "required key is missing: the columns of the table this world takes");
  r.known("keys");
  const toml::array* keys = r.node("keys")->as_array();
  if (!keys || keys->empty()) r.fail_at(r.node("keys"), "keys", "expected a list of scenario keys (text)");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const toml::node* at = keys->get(i);
    const std::string where = "keys[" + std::to_string(i) + "]";
    const auto key = at->value<std::string>();
    if (!key || !at->is_string()) r.fail_at(at, where, "expected a scenario key (text)");
    if (!seen.insert(*key).second) r.fail_at(at, where, "'" + *key + "' is named twice");
    const toml::node* value = find_key(root.raw(), *key);
    if (!value || !(value->is_floating_point() || value->is_integer()))
      r.fail_at(at, where, "'" + *key + "' is not a number of this scenario");
    if (!draws.has_column(*key)) r.fail_at(at, where, "'" + *key + "' is not a column of " + link.file);
    link.keys.push_back(*key);
  }
  r.done();
  s.posterior = std::move(link);
}

}  // namespace stackrace::detail
