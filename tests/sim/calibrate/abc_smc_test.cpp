// The ABC-SMC sampler on models whose posterior is known in closed form: with the
// Gaussian kernel at tolerance 1 it must give the Gaussian posterior of a linear model
// (mean, spread and correlation), and with a noisy simulator the posterior of the model
// with that noise added — under a flat prior and an informative one alike (the noise is
// part of the joint target, not fixed per particle). Same result on any schedule and
// after a resume from a saved state.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/calibrate/abc_smc.hpp"
#include "sim/rng.hpp"

using namespace stackrace;

namespace {

// A linear model y = A theta (+ noise), observed values and scales: D² and summaries.
struct LinearModel {
  std::vector<std::vector<double>> a;  // [summary][parameter]
  std::vector<double> observed, sd;
  double noise = 0;  // sd of Gaussian noise added to every summary, keyed by the simulation index

  SimulateBatch batch(bool reversed = false, int* simulations = nullptr) const {
    return [=, this](const std::vector<std::vector<double>>& theta, const std::vector<std::int64_t>& index) {
      std::vector<Simulated> out(theta.size());
      std::vector<std::size_t> order(theta.size());
      std::iota(order.begin(), order.end(), 0);
      if (reversed) std::reverse(order.begin(), order.end());
      for (std::size_t i : order) {
        CounterStream s(StreamKey{99, std::uint64_t(index[i]), 0, AgentKind::developer, StreamPurpose::design, 0});
        out[i].distance2 = 0;
        for (std::size_t k = 0; k < a.size(); ++k) {
          double m = 0;
          for (std::size_t p = 0; p < theta[i].size(); ++p) m += a[k][p] * theta[i][p];
          const double u = open_unit(s()), v = open_unit(s());
          m += noise * std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
          out[i].summaries.push_back(float(m));
          out[i].distance2 += std::pow((m - observed[k]) / sd[k], 2);
        }
      }
      if (simulations) *simulations += int(theta.size());
      return out;
    };
  }
};

SmcState run(const AbcSmc& smc, const SimulateBatch& batch) {
  SmcState state;
  while (!state.done) smc.step(state, batch);
  return state;
}

struct Moments {
  std::vector<double> mean, var;
  double correlation = 0;  // of the first two parameters
};

Moments moments(const SmcGeneration& g, int P) {
  const std::size_t N = g.theta.size() / P;
  Moments m{std::vector<double>(P, 0.0), std::vector<double>(P, 0.0)};
  for (std::size_t j = 0; j < N; ++j)
    for (int p = 0; p < P; ++p) m.mean[p] += g.theta[j * P + p] / double(N);
  double cov = 0;
  for (std::size_t j = 0; j < N; ++j) {
    for (int p = 0; p < P; ++p) m.var[p] += std::pow(g.theta[j * P + p] - m.mean[p], 2) / double(N);
    if (P > 1) cov += (g.theta[j * P] - m.mean[0]) * (g.theta[j * P + 1] - m.mean[1]) / double(N);
  }
  if (P > 1) m.correlation = cov / std::sqrt(m.var[0] * m.var[1]);
  return m;
}

Prior uniform(double lo, double hi) { return Prior{Prior::Kind::uniform, lo, hi, 0, 1}; }

}  // namespace

TEST_CASE("ABC-SMC gives the Gaussian posterior of a linear model at tolerance 1", "[calibration]") {
  const LinearModel model{{{1.0}}, {3.0}, {1.0}};
  const AbcSmc smc({uniform(-20, 20)}, 1, SmcSettings{2000, 200'000, 0.5, 10, 7});
  const SmcState state = run(smc, model.batch());
  REQUIRE(state.converged);
  CHECK(state.history.back().tolerance == 1.0);
  CHECK(state.history.front().tolerance == std::numeric_limits<double>::infinity());
  // Tolerances fall every generation.
  for (std::size_t g = 1; g < state.history.size(); ++g)
    CHECK(state.history[g].tolerance < state.history[g - 1].tolerance);
  const Moments m = moments(state.history.back(), 1);
  CHECK(m.mean[0] == Approx(3.0).margin(0.1));
  CHECK(std::sqrt(m.var[0]) == Approx(1.0).epsilon(0.1));
}

TEST_CASE("ABC-SMC adapts its kernel to a correlated posterior", "[calibration]") {
  // s = t1 + t2 observed 2 with sd 1, d = t1 - t2 observed 0 with sd 0.25: t1 and t2 have
  // mean 1, variance (1 + 0.0625) / 4 and correlation (1 - 0.0625) / (1 + 0.0625).
  const LinearModel model{{{1.0, 1.0}, {1.0, -1.0}}, {2.0, 0.0}, {1.0, 0.25}};
  const AbcSmc smc({uniform(-10, 10), uniform(-10, 10)}, 2, SmcSettings{2000, 400'000, 0.5, 10, 11});
  const SmcState state = run(smc, model.batch());
  REQUIRE(state.converged);
  const Moments m = moments(state.history.back(), 2);
  CHECK(m.mean[0] == Approx(1.0).margin(0.06));
  CHECK(m.mean[1] == Approx(1.0).margin(0.06));
  CHECK(m.var[0] == Approx(1.0625 / 4).epsilon(0.15));
  CHECK(m.var[1] == Approx(1.0625 / 4).epsilon(0.15));
  CHECK(m.correlation == Approx(0.9375 / 1.0625).margin(0.04));
}

TEST_CASE("with a noisy simulator ABC-SMC gives the posterior with the noise added", "[calibration]") {
  // Each simulation adds noise of sd 0.5, so the kernel's average over it is a normal of
  // variance 1 + 0.25: the posterior of t is N(3, 1.25) (pseudo-marginal).
  LinearModel model{{{1.0}}, {3.0}, {1.0}};
  model.noise = 0.5;
  const AbcSmc smc({uniform(-20, 20)}, 1, SmcSettings{2000, 200'000, 0.5, 10, 5});
  const SmcState state = run(smc, model.batch());
  REQUIRE(state.converged);
  const Moments m = moments(state.history.back(), 1);
  CHECK(m.mean[0] == Approx(3.0).margin(0.12));
  CHECK(std::sqrt(m.var[0]) == Approx(std::sqrt(1.25)).epsilon(0.1));
}

TEST_CASE("with a noisy simulator and an informative prior the noise widens the likelihood", "[calibration]") {
  // t ~ N(0, 1); a simulation is t + noise of sd 1; observed 3 with sd 1. The data say
  // y ~ N(t, 2), so the posterior is N(1, 2/3). (Noise held per particle instead would
  // give N(1.5, 1/2): the mixture over noise of posteriors each of which ignores it.)
  LinearModel model{{{1.0}}, {3.0}, {1.0}};
  model.noise = 1.0;
  const AbcSmc smc({Prior{Prior::Kind::normal, 0, 0, 0.0, 1.0}}, 1, SmcSettings{2000, 400'000, 0.5, 10, 13});
  const SmcState state = run(smc, model.batch());
  REQUIRE(state.converged);
  const Moments m = moments(state.history.back(), 1);
  CHECK(m.mean[0] == Approx(1.0).margin(0.1));
  CHECK(m.var[0] == Approx(2.0 / 3).epsilon(0.15));
}

TEST_CASE("a log-uniform prior keeps the particles within its bounds; a normal prior pulls them", "[calibration]") {
  // The model sees log t; the data say log t = 0 with sd 0.1: t near 1, inside [0.1, 10].
  const LinearModel model{{{1.0}}, {0.0}, {0.1}};
  const AbcSmc smc({Prior{Prior::Kind::loguniform, 0.1, 10, 0, 1}}, 1, SmcSettings{500, 50'000, 0.5, 10, 3});
  const SimulateBatch on_log = [&](const std::vector<std::vector<double>>& theta, const std::vector<std::int64_t>& index) {
    std::vector<std::vector<double>> logs;
    for (const auto& t : theta) logs.push_back({std::log(t[0])});
    return model.batch()(logs, index);
  };
  const SmcState state = run(smc, on_log);
  REQUIRE(state.converged);
  for (double t : state.history.back().theta) CHECK((t >= 0.1 && t <= 10));
  const Moments m = moments(state.history.back(), 1);
  CHECK(m.mean[0] == Approx(1.0).margin(0.05));

  // A N(0, 1) prior with one observation 3 of sd 1: posterior N(1.5, 1/2).
  const LinearModel plain{{{1.0}}, {3.0}, {1.0}};
  const AbcSmc normal({Prior{Prior::Kind::normal, 0, 0, 0.0, 1.0}}, 1, SmcSettings{2000, 200'000, 0.5, 10, 9});
  const Moments n = moments(run(normal, plain.batch()).history.back(), 1);
  CHECK(n.mean[0] == Approx(1.5).margin(0.08));
  CHECK(n.var[0] == Approx(0.5).epsilon(0.12));
}

TEST_CASE("ABC-SMC is the same on any schedule and after a resume from a saved state", "[calibration]") {
  const LinearModel model{{{1.0, 1.0}, {1.0, -1.0}}, {2.0, 0.0}, {1.0, 0.5}};
  const AbcSmc smc({uniform(-10, 10), uniform(-10, 10)}, 2, SmcSettings{300, 20'000, 0.5, 6, 4});
  const SmcState straight = run(smc, model.batch());
  const SmcState reversed = run(smc, model.batch(true));
  SmcState first;
  for (int step = 0; step < 7 && !first.done; ++step) smc.step(first, model.batch());
  SmcState saved = first;  // what a checkpoint holds
  const AbcSmc again({uniform(-10, 10), uniform(-10, 10)}, 2, SmcSettings{300, 20'000, 0.5, 6, 4});
  while (!saved.done) again.step(saved, model.batch());
  for (const SmcState* other : {&reversed, static_cast<const SmcState*>(&saved)}) {
    REQUIRE(other->history.size() == straight.history.size());
    for (std::size_t g = 0; g < straight.history.size(); ++g) {
      CHECK(other->history[g].theta == straight.history[g].theta);
      CHECK(other->history[g].distance2 == straight.history[g].distance2);
      CHECK(other->history[g].tolerance == straight.history[g].tolerance);
    }
  }
}

TEST_CASE("ABC-SMC stops within its simulation budget", "[calibration]") {
  const LinearModel model{{{1.0}}, {3.0}, {0.01}};  // far narrower than the prior: many generations
  int simulations = 0;
  const AbcSmc smc({uniform(-20, 20)}, 1, SmcSettings{200, 1'500, 0.5, 10, 2});
  const SmcState state = run(smc, model.batch(false, &simulations));
  CHECK(state.done);
  CHECK_FALSE(state.converged);
  CHECK(state.simulations == simulations);
  CHECK(simulations <= 1'500);
  CHECK(state.history.back().tolerance > 1.0);
}
