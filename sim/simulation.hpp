#pragma once
// One run of a World: the engine seats the agents, then schedules the model's month
// (MODEL.md, section 3) step by step and records the aggregates.
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include "model/world.hpp"
#include "sim/run_result.hpp"

namespace stackrace {

// How to carry out one run of a World. The thread count is not here on purpose: it is
// set around the run (tbb::global_control) and cannot change the result.
struct RunConfig {
  std::uint64_t seed = 1;  // part of every random stream's key
  int run = 0;             // the run's index in its file (replicate): part of every stream's key
  std::function<void(int step, int steps)> on_step;  // progress, called after each month
  const std::atomic<bool>* stop = nullptr;           // set (e.g. by SIGINT) to end the run early
};

// The configuration of a world's first run: its scenario's seed, run 0.
inline RunConfig first_run(const World& world) { return RunConfig{world.scenario.seed, 0, {}, nullptr}; }

// Thrown when RunConfig::stop is set during a run.
struct RunInterrupted : std::runtime_error {
  RunInterrupted() : std::runtime_error("run interrupted") {}
};

// Runs the world from month 0 to `world.scenario.steps` and returns its aggregates.
RunResult simulate(const World& world, const RunConfig& config);

}  // namespace stackrace
