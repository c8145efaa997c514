#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/scenario.hpp"

namespace stackrace {

// What the command line changes in a scenario. Each is applied to the TOML before it
// is checked, so an override is held to the same rules as the file.
struct ScenarioOverrides {
  std::vector<std::string> set;              // "dotted.key=VALUE", VALUE in TOML syntax (bare words are strings)
  std::optional<std::int64_t> developer_agents;  // --agents: firms scale with it
  std::optional<std::int64_t> steps;         // --steps
  std::optional<std::int64_t> seed;          // --seed
  std::optional<double> memory_limit_bytes;  // refuse populations that would not fit
  // Keep the resolved TOML text (Scenario::resolved_toml). A sweep's runs skip it: the
  // file stores the base's, and printing the whole table costs as much as parsing it.
  bool resolve_text = true;
};

// Reads, overrides, checks and resolves a scenario. Throws ScenarioError with
// `FILE:LINE:COL: KEY: what is wrong` on the first problem found.
Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides = {});

}  // namespace stackrace
