#pragma once
// The calibration's file (README, "The calibration file"): every generation's particles
// (parameter values), distances and summaries, with the tolerances, the targets and the
// priors, as an HDF5 file that xarray opens by its dimension scales (generation,
// particle, parameter, target). It is also the checkpoint: the sampler's state between
// two steps is saved with it, and the whole file is written aside (PATH.partial) and
// renamed into place, so a kill at any moment leaves the last checkpoint whole.
#include <string>

#include "sim/calibrate/abc_smc.hpp"
#include "worlds/calibration_spec.hpp"

namespace stackrace {

// What ties a file to its calibration: --resume refuses a file whose calibration,
// scenario, targets or random numbers differ.
struct CalibrationIdentity {
  std::string calibration;  // the calibration file, resolved
  std::string scenario;     // the scenario, resolved (every file it extends merged in)
  std::string targets;      // the targets as used (CalibrationSpec::record_text)
};

// Writes the whole file anew (aside, then renamed over PATH). Throws OutputError.
void write_calibration_file(const std::string& path, const CalibrationSpec& spec, const CalibrationIdentity& identity,
                            const SmcState& state);
// What `stackrace info` says of a calibration file.
struct CalibrationDigest {
  std::string name, scenario_name, version, created;
  int generations = 0, particles = 0, fitted = 0, held_out = 0;
  double tolerance = 0;
  bool converged = false;
  std::int64_t simulations = 0;
  struct Parameter {
    std::string name, key, prior;
    double low = 0, median = 0, high = 0;  // the last generation's 5%, 50% and 95% quantiles
  };
  std::vector<Parameter> parameters;
};
CalibrationDigest read_calibration_digest(const std::string& path);

// The last generation's particles of a calibration file, as `run --posterior` draws them.
struct PosteriorDraws {
  std::vector<std::string> names, keys;  // [parameter]: the file's names, and the scenario keys they set
  std::vector<double> values;            // [particle][parameter]
  bool converged = false;
  std::size_t particles() const { return names.empty() ? 0 : values.size() / names.size(); }
};
// From a calibration file, or from a CSV table of draws (a header of scenario keys, a row
// per draw). Refuses (OutputError, refused) an HDF5 file that is not a calibration's;
// throws ScenarioError at the cell of a bad table.
PosteriorDraws read_posterior(const std::string& path);

// Reads the sampler's state back from a file written for this calibration; throws
// OutputError (refused) where the file is not a calibration's, or another calibration's.
SmcState read_calibration_state(const std::string& path, const CalibrationIdentity& identity);

}  // namespace stackrace
