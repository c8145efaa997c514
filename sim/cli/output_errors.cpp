#include <iostream>

#include "sim/cli/commands.hpp"
#include "sim/simulation.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace::cli {

int report(const OutputError& error) {
  std::cerr << "stackrace: " << error.what() << '\n';
  return error.fault() == OutputFault::refused ? exit_bad_input : exit_failed;
}

int report_failure(const std::string& command, const std::string& output) {
  try {
    throw;
  } catch (const RunInterrupted&) {
    std::cerr << "\nstackrace: interrupted; nothing was written to " << output << '\n';
    return exit_interrupted;
  } catch (const ScenarioError& e) {
    // Input found bad only while running (a posterior draw the scenario refuses).
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (const OutputError& e) {
    return report(e);
  } catch (const std::exception& e) {
    std::cerr << "stackrace: " << command << " failed: " << e.what() << '\n';
    return exit_failed;
  }
}

}  // namespace stackrace::cli
