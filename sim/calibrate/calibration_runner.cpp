#include "sim/calibrate/calibration_runner.hpp"

#include <chrono>
#include <iostream>
#include <cmath>
#include <limits>
#include <filesystem>

#include "sim/calibrate/abc_smc.hpp"
#include "sim/calibrate/calibration_file.hpp"
#include "sim/calibrate/mpi_calibration.hpp"
#include "sim/calibrate/particle_simulator.hpp"
#include "sim/calibrate/target_values.hpp"
#include "sim/io/output_error.hpp"
#include "sim/io/output_path.hpp"

namespace stackrace {

SmcSettings settings_of(const CalibrationSpec& spec) {
  return SmcSettings{spec.particles, spec.simulations, spec.ess_fraction, spec.max_moves, spec.seed};
}

namespace {

// The output a calibration may write: a new file, or (--resume) this calibration's.
void check_output(const CalibrationConfig& config) {
  refuse_special_output(config.output);
  // A path that cannot be examined is taken as no file: creating its folder says why.
  std::error_code error;
  if (!config.resume && std::filesystem::exists(config.output, error))
    throw OutputError(config.output, "the output exists: resume it with --resume, or remove it", OutputFault::refused);
  if (config.resume && !std::filesystem::is_regular_file(config.output, error))
    throw OutputError(config.output, "--resume: no calibration file to resume", OutputFault::refused);
  const std::filesystem::path folder = std::filesystem::absolute(config.output).parent_path();
  std::filesystem::create_directories(folder, error);
  if (error) throw OutputError(config.output, "cannot create its folder " + folder.string() + ": " + error.message());
}

// Rank 0 checks the output and reads the state to resume; every rank learns whether it
// could (mpi_calibration.hpp) and then reads the same state.
SmcState starting_state(const CalibrationConfig& config, const CalibrationIdentity& identity) {
  SmcState state;
  std::exception_ptr why;
  int status = 0;
  if (calibration_rank() == 0) {
    try {
      check_output(config);
      if (config.resume) state = read_calibration_state(config.output, identity);
    } catch (const OutputError& e) {
      why = std::current_exception(), status = e.fault() == OutputFault::refused ? 2 : 1;  // the CLI's exit statuses
    } catch (const std::exception&) {
      why = std::current_exception(), status = 1;
    }
  }
  share_start(why, status);
  // The other ranks read what rank 0 checked; one that cannot (no shared file system)
  // says why, and every rank ends rather than wait for it.
  bool read = true;
  if (calibration_rank() != 0 && config.resume) {
    try {
      state = read_calibration_state(config.output, identity);
    } catch (const std::exception& e) {
      std::cerr << "stackrace: calibrate: rank " << calibration_rank() << " cannot read " << config.output << ": "
                << e.what() << std::endl;
      read = false;
    }
  }
  if (ranks_with(!read) > 0) throw CalibrationStartFailed(1);
  return state;
}

}  // namespace

CalibrationOutcome run_calibration(const CalibrationSpec& spec, const CalibrationConfig& config) {
  const auto begin = std::chrono::steady_clock::now();
  ParticleSimulator simulator(spec, config.stop);
  const CalibrationIdentity identity{spec.resolved_toml, simulator.scenario().resolved_toml, spec.record_text};
  const TargetValues targets(simulator.scenario().scenario, spec.targets);
  const AbcSmc sampler(simulator.priors(), static_cast<int>(spec.targets.size()), settings_of(spec));
  SmcState state = starting_state(config, identity);
  const std::int64_t at_start = state.simulations;
  const SimulateBatch batch = across_ranks(simulator.batch(targets, spec.seed), spec.targets.size());
  const bool writer = calibration_rank() == 0, alone = calibration_ranks() == 1;
  CalibrationOutcome outcome;
  while (!state.done) {
    // Across ranks a stop is agreed inside the batch (every rank throws together).
    if (alone && config.stop && config.stop->load()) {
      outcome.interrupted = true;
      break;
    }
    SmcState next = state;
    try {
      sampler.step(next, batch);
    } catch (const CalibrationInterrupted&) {
      outcome.interrupted = true;
      break;
    }
    state = std::move(next);
    if (writer) {
      try {
        write_calibration_file(config.output, spec, identity, state);
      } catch (const std::exception& e) {
        end_job(e);  // the other ranks would wait on this one
      }
    }
    if (config.on_step && writer) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      const double tolerance = state.beta > 0 ? 1.0 / std::sqrt(state.beta) : std::numeric_limits<double>::infinity();
      config.on_step(
          CalibrationProgress{state.generation, tolerance, state.simulations, spec.simulations, at_start, seconds});
    }
  }
  outcome.generations = static_cast<int>(state.history.size());
  outcome.tolerance = state.history.empty() ? 0.0 : state.history.back().tolerance;
  outcome.converged = state.converged;
  outcome.simulations = state.simulations;
  outcome.failed = summed_over_ranks(simulator.failed());  // each rank ran its share
  outcome.ran_now = summed_over_ranks(simulator.simulations());
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return outcome;
}

}  // namespace stackrace
