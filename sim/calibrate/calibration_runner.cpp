#include "sim/calibrate/calibration_runner.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <filesystem>

#include <tbb/parallel_for.h>

#include "sim/calibrate/abc_smc.hpp"
#include "sim/calibrate/calibration_file.hpp"
#include "sim/calibrate/target_values.hpp"
#include "sim/io/output_error.hpp"
#include "sim/io/output_path.hpp"
#include "sim/simulation.hpp"
#include "worlds/detail/parameter_reader.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace {
namespace {

Prior prior_of(const SweepParameter& p) {
  Prior prior;
  prior.kind = p.kind == SweepParameter::Kind::loguniform ? Prior::Kind::loguniform
               : p.kind == SweepParameter::Kind::normal   ? Prior::Kind::normal
                                                          : Prior::Kind::uniform;
  prior.lo = p.lo, prior.hi = p.hi, prior.mean = p.mean, prior.sd = p.sd;
  return prior;
}

ScenarioOverrides overrides_for(const CalibrationSpec& spec, const std::vector<double>& theta) {
  ScenarioOverrides o;
  for (std::size_t p = 0; p < theta.size(); ++p)
    o.set.push_back(detail::number_assignment(spec.parameters[p].key, theta[p]));
  o.developer_agents = spec.agents;
  return o;
}

struct Interrupted {};

// One particle's simulation: its World from the scenario with its parameters, run once.
Simulated simulate_particle(const CalibrationSpec& spec, const TargetValues& targets, const std::vector<double>& theta,
                            std::int64_t index, const std::atomic<bool>* stop, std::atomic<std::int64_t>& failed) {
  Simulated out;
  try {
    const World world = build_world(load_scenario(spec.scenario, overrides_for(spec, theta)));
    const RunResult run = simulate(world, RunConfig{spec.seed, static_cast<int>(index), {}, stop});
    out.summaries = targets.of(run);
    out.distance2 = targets.distance2(out.summaries);
  } catch (const RunInterrupted&) {
    throw Interrupted{};
  } catch (const std::exception&) {
    // A parameter vector the model refuses or cannot run lies infinitely far away.
    ++failed;
    out.summaries.assign(spec.targets.size(), std::numeric_limits<float>::quiet_NaN());
  }
  return out;
}

}  // namespace

CalibrationOutcome run_calibration(const CalibrationSpec& spec, const CalibrationConfig& config) {
  const auto begin = std::chrono::steady_clock::now();
  refuse_special_output(config.output);
  if (!config.resume && std::filesystem::exists(config.output))
    throw OutputError(config.output, "the output exists: resume it with --resume, or remove it", OutputFault::refused);
  if (config.resume && !std::filesystem::is_regular_file(config.output))
    throw OutputError(config.output, "--resume: no calibration file to resume", OutputFault::refused);
  std::filesystem::create_directories(std::filesystem::absolute(config.output).parent_path());

  ScenarioOverrides base;
  base.developer_agents = spec.agents;
  const ScenarioDocument scenario = read_scenario(spec.scenario, base);
  const CalibrationIdentity identity{spec.resolved_toml, scenario.resolved_toml, spec.record_text};
  const TargetValues targets(scenario.scenario, spec.targets);

  std::vector<Prior> priors;
  for (const SweepParameter& p : spec.parameters) priors.push_back(prior_of(p));
  const AbcSmc sampler(priors, static_cast<int>(spec.targets.size()),
                       SmcSettings{spec.particles, spec.simulations, spec.ess_fraction, spec.max_moves, spec.seed});

  SmcState state = config.resume ? read_calibration_state(config.output, identity) : SmcState{};
  std::atomic<std::int64_t> failed{0};
  CalibrationOutcome outcome;
  const SimulateBatch batch = [&](const std::vector<std::vector<double>>& theta, const std::vector<std::int64_t>& index) {
    std::vector<Simulated> out(theta.size());
    tbb::parallel_for(std::size_t(0), theta.size(), [&](std::size_t i) {
      out[i] = simulate_particle(spec, targets, theta[i], index[i], config.stop, failed);
    });
    outcome.ran_now += std::int64_t(theta.size());
    return out;
  };
  while (!state.done) {
    if (config.stop && config.stop->load()) {
      outcome.interrupted = true;
      break;
    }
    SmcState next = state;
    try {
      sampler.step(next, batch);
    } catch (const Interrupted&) {
      outcome.interrupted = true;
      break;
    }
    state = std::move(next);
    write_calibration_file(config.output, spec, identity, state);
    if (config.on_step) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      const double tolerance = state.beta > 0 ? 1.0 / std::sqrt(state.beta) : std::numeric_limits<double>::infinity();
      config.on_step(CalibrationProgress{state.generation, tolerance, state.simulations, spec.simulations, seconds});
    }
  }
  outcome.generations = static_cast<int>(state.history.size());
  outcome.tolerance = state.history.empty() ? 0.0 : state.history.back().tolerance;
  outcome.converged = state.converged;
  outcome.simulations = state.simulations;
  outcome.failed = failed.load();
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return outcome;
}

}  // namespace stackrace
