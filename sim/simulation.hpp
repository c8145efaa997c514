#pragma once
#include <atomic>
#include <functional>

#include "sim/run_result.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// How to carry out one run. Thread count is not here on purpose: it is set around the
// run (tbb::global_control) and cannot change the result.
struct RunConfig {
  int run = 0;  // index of the run in its file; part of every random stream's key
  std::function<void(int step, int steps)> on_step;  // progress, called after each month
  const std::atomic<bool>* stop = nullptr;           // set (e.g. by SIGINT) to end the run early
};

// Thrown when RunConfig::stop is set during a run.
struct RunInterrupted : std::runtime_error {
  RunInterrupted() : std::runtime_error("run interrupted") {}
};

// Runs the scenario from month 0 to `scenario.steps` and returns its aggregates.
RunResult simulate(const Scenario& scenario, const RunConfig& config);

}  // namespace stackrace
