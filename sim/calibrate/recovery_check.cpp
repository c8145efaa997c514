#include "sim/calibrate/recovery_check.hpp"

#include <algorithm>
#include <cmath>

#include "sim/calibrate/abc_smc.hpp"
#include "sim/calibrate/calibration_runner.hpp"
#include "sim/calibrate/mpi_calibration.hpp"
#include "sim/calibrate/particle_simulator.hpp"
#include "sim/calibrate/sample_quantile.hpp"
#include "sim/rng.hpp"

namespace stackrace {
namespace {

// The synthetic datasets' simulations are numbered from here, apart from any
// calibration's (whose indices stay far below).
constexpr std::int64_t first_truth_index = std::int64_t(1) << 30;

CounterStream truth_stream(std::uint64_t seed, std::int64_t draw) {
  return CounterStream(StreamKey{seed, std::uint64_t(first_truth_index), draw, AgentKind::firm,
                                 StreamPurpose::calibration, 0});
}

// The width of a prior's central 90% interval, in the parameter's units.
double prior_width90(const Prior& prior) {
  switch (prior.kind) {
    case Prior::Kind::uniform: return 0.9 * (prior.hi - prior.lo);
    case Prior::Kind::loguniform: {
      const double a = std::log(prior.lo), span = std::log(prior.hi) - a;
      return std::exp(a + 0.95 * span) - std::exp(a + 0.05 * span);
    }
    case Prior::Kind::normal: return 2 * 1.6448536269514722 * prior.sd;
  }
  return 1;
}

// How the posterior of one dataset places its truth.
void place_truth(const SmcGeneration& posterior, const std::vector<Prior>& priors, RecoveredDataset& d) {
  const int P = static_cast<int>(priors.size());
  const std::size_t N = posterior.theta.size() / P;
  for (int p = 0; p < P; ++p) {
    std::vector<double> x(N);
    std::size_t below = 0;
    for (std::size_t j = 0; j < N; ++j) {
      x[j] = posterior.theta[j * P + p];
      below += x[j] < d.truth[p];
    }
    d.rank.push_back(double(below) / double(N));
    const double t = d.truth[p];
    d.inside90.push_back(t >= sample_quantile(x, 0.05) && t <= sample_quantile(x, 0.95));
    d.inside50.push_back(t >= sample_quantile(x, 0.25) && t <= sample_quantile(x, 0.75));
    d.width90.push_back((sample_quantile(x, 0.95) - sample_quantile(x, 0.05)) / prior_width90(priors[p]));
  }
}

}  // namespace

std::vector<RecoveredDataset> check_recovery(const CalibrationSpec& spec, int datasets, const std::atomic<bool>* stop,
                                             const std::function<void(int, const RecoveredDataset&)>& on_dataset) {
  ParticleSimulator simulator(spec, stop);
  const TargetValues observed(simulator.scenario().scenario, spec.targets);
  const std::vector<Prior> priors = simulator.priors();
  std::vector<RecoveredDataset> out;
  for (std::int64_t draw = 0; int(out.size()) < datasets; ++draw) {
    if (stop_agreed(stop)) throw CalibrationInterrupted{};  // every rank together
    // The truth, its one simulation, and the record it would leave.
    CounterStream s = truth_stream(spec.seed, draw);
    RecoveredDataset d;
    for (const Prior& prior : priors) {
      const double u = open_unit(s()), v = open_unit(s());
      d.truth.push_back(prior.draw(u, v));
    }
    // A batch of one, so that under MPI every rank gets it and an interrupt is agreed.
    const Simulated truth = across_ranks(simulator.batch(observed, spec.seed), observed.size())(
        {d.truth}, {first_truth_index + draw})[0];
    std::vector<double> centres(observed.size());
    bool defined = std::isfinite(truth.distance2);
    for (std::size_t i = 0; i < centres.size(); ++i) {
      const double u = open_unit(s()), v = open_unit(s());  // in this order: the stream's next two
      centres[i] = double(truth.summaries[i]) + observed.sd(i) * standard_normal(u, v);
    }
    if (!defined) continue;  // a target with no model value at the truth: draw again
    const TargetValues synthetic = observed.observed_at(centres);

    SmcSettings settings = settings_of(spec);
    // Each dataset's sampler and simulations their own numbers: datasets that shared the
    // model's noise would not be independent checks.
    settings.seed = spec.seed + 1 + std::uint64_t(draw);
    const AbcSmc sampler(priors, static_cast<int>(observed.size()), settings);
    SmcState state;
    const SimulateBatch batch = across_ranks(simulator.batch(synthetic, settings.seed), spec.targets.size());
    while (!state.done) sampler.step(state, batch);
    d.tolerance = state.history.back().tolerance;
    d.converged = state.converged;
    d.simulations = state.simulations;
    place_truth(state.history.back(), priors, d);
    out.push_back(d);
    if (on_dataset) on_dataset(int(out.size()) - 1, out.back());
  }
  return out;
}

}  // namespace stackrace
