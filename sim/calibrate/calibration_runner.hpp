#pragma once
// Runs a calibration (worlds/calibration_spec.hpp): the sampler (abc_smc.hpp) steps,
// each step's simulations side by side on every core (each builds its particle's World
// from the scenario with the particle's parameters and runs it once) and, under mpirun,
// across the ranks (mpi_calibration.hpp); after every step the file is checkpointed
// (calibration_file.hpp). The result depends only on the calibration, never on the
// thread or rank count or on where it was interrupted and resumed.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "sim/calibrate/abc_smc.hpp"
#include "worlds/calibration_spec.hpp"

namespace stackrace {

struct CalibrationProgress {
  int generation = 0;
  double tolerance = 0;      // the generation's (infinite for the prior's)
  std::int64_t simulations = 0, budget = 0;
  std::int64_t at_start = 0;  // simulations already in the file when this invocation began (--resume)
  double seconds = 0;        // since this invocation began
};

struct CalibrationConfig {
  std::string output;
  bool resume = false;
  const std::atomic<bool>* stop = nullptr;  // set by SIGINT: the step in flight is dropped, the last checkpoint kept
  std::function<void(const CalibrationProgress&)> on_step;
};

struct CalibrationOutcome {
  int generations = 0;
  double tolerance = 0;
  bool converged = false;
  bool interrupted = false;
  std::int64_t simulations = 0, failed = 0;
  std::int64_t ran_now = 0;  // simulations this invocation ran
  double seconds = 0;
};

// The sampler's settings of a calibration.
SmcSettings settings_of(const CalibrationSpec& spec);

// Throws OutputError (the output exists without --resume, or is not this calibration's
// on resume; writing fails) and ScenarioError; on ranks 1..N-1, CalibrationStartFailed
// where rank 0 could not start. Only rank 0 writes and calls `on_step`.
CalibrationOutcome run_calibration(const CalibrationSpec& spec, const CalibrationConfig& config);

}  // namespace stackrace
