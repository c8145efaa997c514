#pragma once
#include <stdexcept>
#include <string>

namespace stackrace {

// A scenario that cannot be run. what() reads `FILE:LINE:COL: KEY: what is wrong`;
// the CLI prints it and exits with status 2 before any step runs.
struct ScenarioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace stackrace
