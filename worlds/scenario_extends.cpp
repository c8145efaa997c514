#include "worlds/scenario_extends.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "worlds/detail/input_file.hpp"
#include "worlds/detail/toml_depth.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace::detail {
namespace {

constexpr int deepest_chain = 16;

toml::table parse(const std::string& path) {
  if (auto problem = unreadable_file(path)) throw ScenarioError(path + ":1:1: cannot read the file: " + *problem);
  std::ifstream in(path);
  if (!in) throw ScenarioError(path + ":1:1: cannot open the scenario file");
  std::stringstream text;
  text << in.rdbuf();
  if (const auto at = too_deeply_nested(text.view()))
    throw ScenarioError(path + ":" + std::to_string(at->line) + ":" + std::to_string(at->column) +
                        ": syntax error: keys nested more than " + std::to_string(deepest_nesting) + " levels deep");
  try {
    return toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << path << ':' << e.source().begin.line << ':' << e.source().begin.column << ": syntax error: " << e.description();
    throw ScenarioError(out.str());
  }
}

// Moves `value` under `key` of `into`, remembering where it was written: a moved node
// loses its own position (its children keep theirs).
void put(toml::table& into, std::string_view key, toml::node& value, ScenarioSource& source) {
  ScenarioSource::Origin origin{source.location(&value), source.file_of(&value)};
  value.visit([&](auto&& v) {
    const toml::node* made = &into.insert_or_assign(key, std::move(v)).first->second;
    source.origins[made] = origin;
  });
}

void overlay(toml::table& base, toml::table& layer, ScenarioSource& source) {
  for (auto&& [key, value] : layer) {
    toml::node* below = base.get(key.str());
    if (below && below->is_table() && value.is_table()) {
      overlay(*below->as_table(), *value.as_table(), source);
    } else if (below && below->is_array() && value.is_array() && (key.str() == "policies" || key.str() == "availability" || key.str() == "events")) {
      for (auto& policy : *value.as_array()) {
        ScenarioSource::Origin origin{source.location(&policy), source.file_of(&policy)};
        policy.visit([&](auto&& v) {
          below->as_array()->push_back(std::move(v));
          source.origins[&below->as_array()->back()] = origin;
        });
      }
    } else {
      put(base, key.str(), value, source);
    }
  }
}

toml::table read_chain(const std::string& path, ScenarioSource& source, std::set<std::string>& seen) {
  toml::table table = parse(path);
  toml::node* extends = table.get("extends");
  if (!extends) return table;
  const std::string where = source.location(extends);
  auto base_name = extends->value<std::string>();
  if (!extends->is_string() || !base_name) throw ScenarioError(where + ": extends: expected the path of a scenario file");
  std::filesystem::path base_path(*base_name);
  if (base_path.is_relative()) base_path = std::filesystem::path(path).parent_path() / base_path;
  const std::string base = base_path.lexically_normal().string();
  std::error_code ec;
  const std::string canonical = std::filesystem::weakly_canonical(base_path, ec).string();
  if (auto problem = unreadable_file(base)) throw ScenarioError(where + ": extends: " + *problem + ": " + base);
  if (!seen.insert(canonical).second) throw ScenarioError(where + ": extends: " + base + " extends itself (a cycle)");
  if (seen.size() > deepest_chain) throw ScenarioError(where + ": extends: more than 16 scenarios in the chain");
  toml::table merged = read_chain(base, source, seen);
  table.erase("extends");
  overlay(merged, table, source);
  return merged;
}

}  // namespace

toml::table read_scenario_file(const std::string& path, ScenarioSource& source) {
  std::set<std::string> seen;
  std::error_code ec;
  seen.insert(std::filesystem::weakly_canonical(path, ec).string());
  return read_chain(path, source, seen);
}

}  // namespace stackrace::detail
