#pragma once
// The simulations of a calibration: its scenario with a particle's parameter values, run
// once at the calibration's agent count, summarised as the targets' model values. A
// batch runs side by side on every core; each simulation's random numbers are keyed by
// its index, so a batch's results do not depend on the schedule.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/calibrate/abc_smc.hpp"
#include "sim/calibrate/target_values.hpp"
#include "worlds/calibration_spec.hpp"
#include "worlds/scenario_loader.hpp"

namespace stackrace {

// Thrown out of a batch when the calibration's stop flag is set (SIGINT).
struct CalibrationInterrupted {};

class ParticleSimulator {
 public:
  // Reads the scenario (with the calibration's agent count) once.
  ParticleSimulator(const CalibrationSpec& spec, const std::atomic<bool>* stop);

  const ScenarioDocument& scenario() const { return scenario_; }
  std::vector<Prior> priors() const;
  // One simulation at parameter values `theta`, its random numbers keyed by (seed,
  // index); a parameter vector the scenario refuses lies infinitely far away (and counts
  // as failed).
  Simulated simulate(const std::vector<double>& theta, std::int64_t index, const TargetValues& targets,
                     std::uint64_t seed);
  // A batch side by side, for the sampler; throws CalibrationInterrupted.
  SimulateBatch batch(const TargetValues& targets, std::uint64_t seed);
  std::int64_t failed() const { return failed_.load(); }
  std::int64_t simulations() const { return simulations_.load(); }

 private:
  const CalibrationSpec& spec_;
  const std::atomic<bool>* stop_;
  std::shared_ptr<const ScenarioText> text_;  // read once: the simulations load it with their parameters
  ScenarioDocument scenario_;
  std::atomic<std::int64_t> failed_{0}, simulations_{0};
};

}  // namespace stackrace
