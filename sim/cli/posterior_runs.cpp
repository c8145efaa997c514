#include "sim/cli/posterior_runs.hpp"

#include <algorithm>

#include "worlds/detail/input_file.hpp"
#include "worlds/detail/parameter_reader.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace::cli {

namespace {

// The draws of the world's own [posterior]: its keys' columns alone, in their order. The
// table is read here, not when the world loads; what is wrong with it is blamed on the
// world's `posterior.file` or key.
PosteriorDraws world_draws(const PosteriorTable& link) {
  if (auto problem = detail::unreadable_file(link.file))
    throw ScenarioError(link.file_location + ": posterior.file: cannot read the posterior's draws: " + *problem +
                        ": " + link.file);
  const PosteriorDraws all = read_posterior(link.file);
  PosteriorDraws d;
  d.converged = all.converged;
  std::vector<std::size_t> column;
  for (std::size_t i = 0; i < link.keys.size(); ++i) {
    auto at = std::find(all.keys.begin(), all.keys.end(), link.keys[i]);
    if (at == all.keys.end())
      throw ScenarioError(link.key_locations[i] + ": posterior.keys[" + std::to_string(i) + "]: '" + link.keys[i] +
                          "' is not a column of " + link.file);
    column.push_back(static_cast<std::size_t>(at - all.keys.begin()));
    d.keys.push_back(link.keys[i]), d.names.push_back(all.names[column.back()]);
  }
  const std::size_t P = all.names.size();
  for (std::size_t i = 0; i < all.particles(); ++i)
    for (std::size_t c : column) d.values.push_back(all.values[i * P + c]);
  return d;
}

}  // namespace

PosteriorRuns posterior_runs(const std::string& option, std::optional<int> draws, int default_draws,
                             const Scenario& scenario) {
  PosteriorRuns runs;
  if (!option.empty()) {
    runs.file = option;
    runs.draws = read_posterior(option);
  } else if (draws) {
    if (!scenario.posterior)
      throw ScenarioError("stackrace: --draws: the scenario '" + scenario.name +
                          "' has no [posterior] to draw from: name a calibration with --posterior");
    runs.file = scenario.posterior->file;
    runs.draws = world_draws(*scenario.posterior);
  } else {
    return runs;
  }
  const int P = static_cast<int>(runs.draws.particles()), D = std::min(draws.value_or(default_draws), P);
  for (int d = 0; d < D; ++d) runs.particle.push_back(static_cast<int>(std::int64_t(d) * P / D));
  return runs;
}

void write_posterior_columns(ResultWriter& writer, const PosteriorRuns& posterior, int replicates, int arms,
                             bool replicate_column) {
  const std::size_t P = posterior.draws.names.size(), per_arm = posterior.particle.size() * std::size_t(replicates);
  const std::size_t runs = per_arm * std::size_t(arms);
  auto draw_of = [&](std::size_t run) { return (run % per_arm) / std::size_t(replicates); };
  for (std::size_t p = 0; p < P; ++p) {
    const std::string name = "param_" + posterior.draws.names[p];
    writer.add_run_column<double>(name, "posterior draw of " + posterior.draws.keys[p]);
    std::vector<double> values(runs);
    for (std::size_t i = 0; i < runs; ++i) values[i] = posterior.draws.values[posterior.particle[draw_of(i)] * P + p];
    writer.write_run_column_all(name, values);
  }
  writer.add_run_column<std::int64_t>("posterior_particle", "the run's particle in the calibration's last generation");
  std::vector<std::int64_t> particle(runs), replicate(runs);
  for (std::size_t i = 0; i < runs; ++i)
    particle[i] = posterior.particle[draw_of(i)], replicate[i] = std::int64_t(i % std::size_t(replicates));
  writer.write_run_column_all("posterior_particle", particle);
  if (replicate_column) {
    writer.add_run_column<std::int64_t>("replicate", "replicate of the draw (seed = scenario seed + replicate)");
    writer.write_run_column_all("replicate", replicate);
  }
}

World posterior_world(const std::string& scenario, ScenarioOverrides overrides, const PosteriorRuns& posterior,
                      int d) {
  const std::size_t P = posterior.draws.names.size();
  overrides.file_checked = true;  // the run read the scenario with these overrides first
  for (std::size_t p = 0; p < P; ++p)
    overrides.set.push_back(
        detail::number_assignment(posterior.draws.keys[p], posterior.draws.values[posterior.particle[d] * P + p]));
  return build_world(load_scenario(scenario, overrides));
}

}  // namespace stackrace::cli
