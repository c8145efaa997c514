#pragma once
// `run --one-to-one`: one agent per real developer and per real firm of the scenario's
// countries (the country table's counts), each agent weighing one. The populations are
// set as `--set population.developer_agents=... population.firm_agents=...` would set
// them, so that the memory check and the stored scenario see the counts run.
#include <string>

#include "worlds/scenario_loader.hpp"

namespace stackrace::cli {

// `overrides` with the scenario's real developer and firm counts set as its agent counts
// (rounded to the nearest agent). Throws ScenarioError where the scenario cannot be read.
ScenarioOverrides one_agent_per_entity(const std::string& path, ScenarioOverrides overrides);

}  // namespace stackrace::cli
