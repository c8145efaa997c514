#include "worlds/scenario_overrides.hpp"

#include <charconv>
#include <vector>

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

toml::node* element_of(toml::array& array, const std::string& segment) {
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
  if (ec == std::errc{} && end == segment.data() + segment.size()) return array.get(index);
  for (auto& element : array) {
    auto table = element.as_table();
    if (table && table->get_as<std::string>("id") && **table->get_as<std::string>("id") == segment) return &element;
  }
  return nullptr;
}

toml::table parse_value(const std::string& value, const std::string& origin) {
  try {
    return toml::parse("value = " + value, origin);
  } catch (const toml::parse_error&) {
    toml::table quoted;
    quoted.insert("value", value);
    return quoted;
  }
}

}  // namespace

void apply_override(toml::table& root, const std::string& assignment, const std::string& origin,
                    std::map<const toml::node*, ScenarioSource::Origin>& origins) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError(origin + ": expected KEY=VALUE, e.g. scenario.steps=60");
  std::string key = assignment.substr(0, eq);
  std::vector<std::string> path = split_path(key);

  toml::table* table = &root;
  std::string walked;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + path[i];
    toml::node* next = table->get(path[i]);
    if (!next) {
      next = &table->insert_or_assign(path[i], toml::table{}).first->second;
      origins[next] = {origin, ""};
    }
    if (auto array = next->as_array()) {
      if (++i + 1 >= path.size()) throw ScenarioError(origin + ": " + key + ": name a key inside an element of " + walked);
      walked += "." + path[i];
      next = element_of(*array, path[i]);
      if (!next) throw ScenarioError(origin + ": " + key + ": no element '" + path[i] + "' in " + walked.substr(0, walked.rfind('.')));
    }
    table = next->as_table();
    if (!table) throw ScenarioError(origin + ": " + key + ": " + walked + " is not a table");
  }
  toml::table parsed = parse_value(assignment.substr(eq + 1), origin);
  parsed.get("value")->visit(
      [&](auto&& value) { origins[&table->insert_or_assign(path.back(), std::move(value)).first->second] = {origin, ""}; });
}

}  // namespace stackrace::detail
