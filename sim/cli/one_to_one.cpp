#include "sim/cli/one_to_one.hpp"

#include <cmath>
#include <cstdint>

namespace stackrace::cli {

ScenarioOverrides one_agent_per_entity(const std::string& path, ScenarioOverrides overrides) {
  // The counts come from the countries as loaded (table rows, their overrides and any
  // --set): read once without the memory check, which the file's own counts need not pass.
  ScenarioOverrides counting = overrides;
  counting.memory_limit_bytes.reset();
  const Scenario scenario = read_scenario(path, counting).scenario;
  double developers = 0, firms = 0;
  for (const CountrySpec& c : scenario.countries) developers += c.developers, firms += c.firms;
  overrides.set.push_back("population.developer_agents=" + std::to_string(std::llround(developers)));
  overrides.set.push_back("population.firm_agents=" + std::to_string(std::llround(firms)));
  return overrides;
}

}  // namespace stackrace::cli
