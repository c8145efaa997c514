#pragma once
// Simulation-based calibration (Talts et al. 2018, "Validating Bayesian inference
// algorithms with simulation-based calibration"): does a calibration recover parameters
// it knows? For each of N synthetic datasets it draws "true" parameters from the prior,
// simulates them once, adds to every target its observation error (normal, of the
// target's sd) and calibrates to that, as `stackrace calibrate` would to the record.
// Where the sampler is right, the truth falls inside the posterior's 90% interval in 90%
// of the datasets (and its rank among the particles is uniform).
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "worlds/calibration_spec.hpp"

namespace stackrace {

struct RecoveredDataset {
  std::vector<double> truth;      // [parameter]
  std::vector<double> rank;       // [parameter]: share of the posterior's particles below the truth
  std::vector<bool> inside90, inside50;  // [parameter]: the truth within the posterior's central 90% / 50%
  // [parameter]: the posterior's central 90% interval over the prior's: below 1 where the
  // data taught it something (a posterior that is the prior also covers its truth 90% of
  // the time).
  std::vector<double> width90;
  double tolerance = 0;
  bool converged = false;
  std::int64_t simulations = 0;
};

// Runs the check; `on_dataset` is told of each finished dataset. Datasets whose true
// simulation leaves a fitted target undefined (no users to take a share of) are drawn
// again. Throws RunInterrupted when `stop` is set.
std::vector<RecoveredDataset> check_recovery(const CalibrationSpec& spec, int datasets,
                                             const std::atomic<bool>* stop,
                                             const std::function<void(int, const RecoveredDataset&)>& on_dataset);

}  // namespace stackrace
