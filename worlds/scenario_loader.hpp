#pragma once
#include <cstdint>
#include <memory>
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
  // The file as written was checked already (a sweep's base, a calibration's scenario, a
  // run's scenario before its posterior draws): the values `set` replaces in it are not
  // read again, which would cost each of their many loads a second one.
  bool file_checked = false;
};

// A scenario as read from its file: the description, and what a result file records of
// where it came from.
struct ScenarioDocument {
  Scenario scenario;
  std::string path;           // the file it was read from
  std::string resolved_toml;  // the whole scenario, with defaults and overrides applied
};

// Reads, overrides and checks a scenario. Throws ScenarioError with
// `FILE:LINE:COL: KEY: what is wrong` on the first problem found.
Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides = {});
// A scenario file as read, with every file it extends merged in: read once, loaded with
// many overrides (a calibration's simulations), so that files edited meanwhile change
// nothing. (The country table it names is read at each load.)
struct ScenarioText;  // the merged TOML (worlds/scenario_loader.cpp)
std::shared_ptr<const ScenarioText> read_scenario_text(const std::string& path);
Scenario load_scenario(const ScenarioText& text, const ScenarioOverrides& overrides);
// load_scenario with the resolved text, which costs about as much again as the reading (a
// sweep's design points skip it: the file stores the base's).
ScenarioDocument read_scenario(const std::string& path, const ScenarioOverrides& overrides = {});

}  // namespace stackrace
