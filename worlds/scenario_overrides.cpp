#include "worlds/scenario_overrides.hpp"

#include <charconv>
#include <optional>
#include <vector>

#include "worlds/detail/toml_depth.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace::detail {
namespace {

std::vector<std::string> split_path(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (std::size_t dot; (dot = key.find('.', begin)) != std::string::npos; begin = dot + 1)
    parts.push_back(key.substr(begin, dot - begin));
  parts.push_back(key.substr(begin));
  return parts;
}

// A path segment written as a number names an element by its index; any other, by its id.
std::optional<std::size_t> index_in(const std::string& segment) {
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
  if (ec == std::errc{} && end == segment.data() + segment.size()) return index;
  return std::nullopt;
}

toml::node* element_of(toml::array& array, const std::string& segment) {
  if (auto index = index_in(segment)) return array.get(*index);
  for (auto& element : array) {
    auto table = element.as_table();
    if (table && table->get_as<std::string>("id") && **table->get_as<std::string>("id") == segment) return &element;
  }
  return nullptr;
}

// Whether `key` of `table` is the scenario's `[[countries]]`: the one array whose
// elements may stand for rows of the country table, which `--set` names by id although
// no element is written for them.
bool is_countries(const toml::table& table, const toml::table& root, const std::string& key) {
  return &table == &root && key == "countries";
}

// The element `{ id = "ID" }` for `countries.ID`, made on the command line.
toml::node* add_country(toml::array& countries, const std::string& id, const std::string& origin,
                        ScenarioSource& source) {
  toml::table entry;
  entry.insert("id", id);
  countries.push_back(std::move(entry));
  toml::node* made = &countries.back();
  source.origins[made] = {origin, ""};
  source.origins[made->as_table()->get("id")] = {origin, ""};
  source.table_countries_set.insert(made);
  return made;
}

toml::table parse_value(const std::string& value, const std::string& origin) {
  const std::string text = "value = " + value;
  if (too_deeply_nested(text))
    throw ScenarioError(origin + ": the value nests more than " + std::to_string(deepest_nesting) + " levels deep");
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error&) {
    toml::table quoted;
    quoted.insert("value", value);
    return quoted;
  }
}

}  // namespace

void apply_override(toml::table& root, const std::string& assignment, const std::string& origin,
                    ScenarioSource& source) {
  auto& origins = source.origins;
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError(origin + ": expected KEY=VALUE, e.g. scenario.steps=60");
  std::string key = assignment.substr(0, eq);
  std::vector<std::string> path = split_path(key);
  if (path.size() > deepest_nesting)  // each part a table: as deep as a file may nest
    throw ScenarioError(origin + ": the key nests more than " + std::to_string(deepest_nesting) + " levels deep");

  toml::table* table = &root;
  std::string walked;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + path[i];
    const bool countries = is_countries(*table, root, path[i]);
    toml::node* next = table->get(path[i]);
    if (!next) {
      next = countries ? &table->insert_or_assign(path[i], toml::array{}).first->second
                       : &table->insert_or_assign(path[i], toml::table{}).first->second;
      origins[next] = {origin, ""};
    }
    if (auto array = next->as_array()) {
      if (++i + 1 >= path.size()) throw ScenarioError(origin + ": " + key + ": name a key inside an element of " + walked);
      walked += "." + path[i];
      next = element_of(*array, path[i]);
      if (!next && countries && !index_in(path[i])) next = add_country(*array, path[i], origin, source);
      if (!next) throw ScenarioError(origin + ": " + key + ": no element '" + path[i] + "' in " + walked.substr(0, walked.rfind('.')));
    }
    table = next->as_table();
    if (!table) throw ScenarioError(origin + ": " + key + ": " + walked + " is not a table");
  }
  toml::table parsed = parse_value(assignment.substr(eq + 1), origin);
  parsed.get("value")->visit(
      [&](auto&& value) { origins[&table->insert_or_assign(path.back(), std::move(value)).first->second] = {origin, ""}; });
}

const toml::node* find_key(const toml::table& root, const std::string& key) {
  const toml::node* node = &root;
  const std::vector<std::string> path = split_path(key);
  for (std::size_t i = 0; i < path.size() && node; ++i) {
    const toml::table* table = node->as_table();
    node = table ? table->get(path[i]) : nullptr;
    if (node && node->is_array() && i + 1 < path.size())
      node = element_of(*const_cast<toml::array*>(node->as_array()), path[++i]);
  }
  return node;
}

}  // namespace stackrace::detail
