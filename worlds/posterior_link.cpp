#include "worlds/posterior_link.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "worlds/scenario_overrides.hpp"

namespace stackrace::detail {
namespace {

// Whether `key` names a number of the scenario as read (defaults written back). A country
// of the country table has no element to walk, as `--set` allows: its key stands when the
// country is one of the scenario's.
bool names_a_number(const toml::table& root, const Scenario& s, const std::string& key) {
  if (const toml::node* value = find_key(root, key)) return value->is_floating_point() || value->is_integer();
  const std::string prefix = "countries.";
  if (key.rfind(prefix, 0) != 0) return false;
  const std::string id = key.substr(prefix.size(), key.find('.', prefix.size()) - prefix.size());
  return key.find('.', prefix.size()) != std::string::npos &&
         std::any_of(s.countries.begin(), s.countries.end(), [&](const CountrySpec& c) { return c.id == id; });
}

}  // namespace

void read_posterior_link(TableReader& root, Scenario& s, ScenarioSource& source) {
  if (!root.has("posterior")) return;
  toml::table& table = root.table("posterior", true);
  TableReader r(table, "posterior", source);
  PosteriorTable link;
  std::filesystem::path file(r.text("file", std::nullopt));
  if (file.is_relative()) file = std::filesystem::path(source.file_of(r.node("file"))).parent_path() / file;
  link.file = std::filesystem::absolute(file).lexically_normal().string();
  if (file.extension() != ".csv")
    r.fail_at(r.node("file"), "file", "expected a table of draws (.csv): a header of scenario keys, a row per draw");
  link.file_location = source.location(r.node("file"));
  // Written back resolved: a scenario stored in a result file names the same draws.
  source.replace(table, "file", link.file, r.node("file"));
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
    if (!names_a_number(root.raw(), s, *key)) r.fail_at(at, where, "'" + *key + "' is not a number of this scenario");
    link.keys.push_back(*key);
    link.key_locations.push_back(source.location(at));
  }
  r.done();
  s.posterior = std::move(link);
}

}  // namespace stackrace::detail
