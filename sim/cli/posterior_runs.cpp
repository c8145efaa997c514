#include "sim/cli/posterior_runs.hpp"

#include <algorithm>

#include "worlds/detail/parameter_reader.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace::cli {

PosteriorRuns posterior_runs(const std::string& file, int draws) {
  PosteriorRuns runs;
  if (file.empty()) return runs;
  runs.draws = read_posterior(file);
  const int P = static_cast<int>(runs.draws.particles()), D = std::min(draws, P);
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
  for (std::size_t p = 0; p < P; ++p)
    overrides.set.push_back(
        detail::number_assignment(posterior.draws.keys[p], posterior.draws.values[posterior.particle[d] * P + p]));
  return build_world(load_scenario(scenario, overrides));
}

}  // namespace stackrace::cli
