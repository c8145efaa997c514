#pragma once
// Runs a sweep on one machine: every run of the design (points x replicates) into one
// checkpointed result file. Runs go side by side through a oneTBB pipeline whose width
// is set by memory (many small runs fill every core; a few huge ones run one or two at a
// time, each spreading its own agents over the cores), and the writer records each as it
// finishes. A run's result depends only on its point, its replicate's seed and the
// scenario, never on scheduling, so the file is the same on any thread count and after
// any interruption and resume.
#include <atomic>
#include <functional>
#include <string>

#include "worlds/sweep_spec.hpp"

namespace stackrace {

struct SweepConfig {
  std::string output;
  bool resume = false;                 // finish an interrupted sweep's file
  const std::atomic<bool>* stop = nullptr;  // set by SIGINT: finish the runs in flight, then stop
  std::function<void(long done, long total)> on_run;  // progress
  double memory_limit_bytes = 0;       // 0: no limit on how many runs go side by side
};

struct SweepOutcome {
  long runs = 0, done = 0, failed = 0, pending = 0;
  long ran_now = 0;  // runs finished by this invocation
  double seconds = 0;
};

// Throws OutputError when the output cannot be written, or cannot take this sweep (it
// exists without --resume, or on resume is not this sweep's), and ScenarioError when the
// base scenario is refused.
SweepOutcome run_sweep(const SweepSpec& spec, const SweepConfig& config);

}  // namespace stackrace
