#include "sim/calibrate/particle_simulator.hpp"

#include <limits>

#include <tbb/parallel_for.h>

#include "sim/simulation.hpp"
#include "worlds/detail/parameter_reader.hpp"
#include "worlds/scenario_error.hpp"
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

ScenarioOverrides with_agents(const CalibrationSpec& spec) {
  ScenarioOverrides o;
  o.developer_agents = spec.agents;
  return o;
}

}  // namespace

ParticleSimulator::ParticleSimulator(const CalibrationSpec& spec, const std::atomic<bool>* stop)
    : spec_(spec), stop_(stop), text_(read_scenario_text(spec.scenario)),
      scenario_(read_scenario(spec.scenario, with_agents(spec))) {}

std::vector<Prior> ParticleSimulator::priors() const {
  std::vector<Prior> priors;
  for (const SweepParameter& p : spec_.parameters) priors.push_back(prior_of(p));
  return priors;
}

Simulated ParticleSimulator::simulate(const std::vector<double>& theta, std::int64_t index,
                                      const TargetValues& targets, std::uint64_t seed) {
  ScenarioOverrides o = with_agents(spec_);
  o.file_checked = true;  // scenario_ read the file as written
  for (std::size_t p = 0; p < theta.size(); ++p)
    o.set.push_back(detail::number_assignment(spec_.parameters[p].key, theta[p]));
  Simulated out;
  ++simulations_;
  try {
    const World world = build_world(load_scenario(*text_, o));
    const RunResult run = stackrace::simulate(world, RunConfig{seed, static_cast<int>(index), {}, stop_});
    out.summaries = targets.of(run);
    out.distance2 = targets.distance2(out.summaries);
  } catch (const RunInterrupted&) {
    throw CalibrationInterrupted{};
  } catch (const ScenarioError&) {
    // A parameter vector the scenario refuses (a value out of a key's range, a check that
    // fails) lies infinitely far away. Anything else (out of memory) is no property of
    // the parameters, and ends the calibration.
    ++failed_;
    out.summaries.assign(targets.size(), std::numeric_limits<float>::quiet_NaN());
  }
  return out;
}

SimulateBatch ParticleSimulator::batch(const TargetValues& targets, std::uint64_t seed) {
  return [this, &targets, seed](const std::vector<std::vector<double>>& theta, const std::vector<std::int64_t>& index) {
    std::vector<Simulated> out(theta.size());
    tbb::parallel_for(std::size_t(0), theta.size(),
                      [&](std::size_t i) { out[i] = simulate(theta[i], index[i], targets, seed); });
    return out;
  };
}

}  // namespace stackrace
