#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/cli/system_memory.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_loader.hpp"

namespace stackrace::cli {

void add_validate_command(CLI::App& app, ValidateOptions& o) {
  CLI::App* cmd = app.add_subcommand("validate", "Check a scenario and print it fully resolved (defaults filled in)");
  cmd->add_option("scenario", o.scenario, "Scenario file (TOML)")->required();
  cmd->add_option("--set", o.set, "Override a scenario key by its dotted path, e.g. --set scenario.steps=60")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

int validate_command(const ValidateOptions& o) {
  try {
    ScenarioOverrides overrides{o.set, {}, {}, {}, available_memory_bytes()};
    const ScenarioDocument document = read_scenario(o.scenario, overrides);
    std::cout << "# " << o.scenario << ": valid. Resolved scenario:\n" << document.resolved_toml << '\n';
    return exit_ok;
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  }
}

}  // namespace stackrace::cli
