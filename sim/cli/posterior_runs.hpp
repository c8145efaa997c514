#pragma once
// Runs over a calibration's posterior (`run --posterior`, `compare --posterior`): which
// particles are drawn, the World of each draw, and what the file records of them.
#include <optional>
#include <string>
#include <vector>

#include "model/world.hpp"
#include "sim/calibrate/calibration_file.hpp"
#include "sim/io/result_file.hpp"
#include "worlds/scenario_overrides.hpp"
#include "worlds/scenario_loader.hpp"

namespace stackrace::cli {

struct PosteriorRuns {
  std::string file;  // where the draws come from
  PosteriorDraws draws;
  std::vector<int> particle;  // [draw]: its particle in the calibration's last generation
  bool any() const { return !particle.empty(); }
  int count() const { return any() ? static_cast<int>(particle.size()) : 1; }  // draws (1 without a posterior)
};

// The posterior runs go over: `--posterior` (`option`: a calibration file or a table of
// draws, every parameter in it), else, where `--draws` is given alone, the scenario's own
// `[posterior]` (the keys it names); none without either. Takes `draws` (else
// `default_draws`) of its draws, evenly spaced (all where it has fewer). Throws
// OutputError (refused) for a file that is no calibration's, ScenarioError for --draws on
// a scenario without a posterior or a table that lacks a key.
PosteriorRuns posterior_runs(const std::string& option, std::optional<int> draws, int default_draws,
                             const Scenario& scenario);

// Records each run's draw (param_<name>, posterior_particle, and with `replicate_column`
// the replicate), for runs laid out [arm][draw][replicate].
void write_posterior_columns(ResultWriter& writer, const PosteriorRuns& posterior, int replicates, int arms,
                             bool replicate_column);

// The World of draw d: the scenario with `overrides` and the draw's values. Throws
// ScenarioError where the scenario refuses them.
World posterior_world(const std::string& scenario, ScenarioOverrides overrides, const PosteriorRuns& posterior, int d);

}  // namespace stackrace::cli
