#include "sim/calibrate/abc_smc.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "sim/rng.hpp"

namespace stackrace {
namespace {

constexpr double move_probability = 0.9;   // each particle should move at least once with this chance
constexpr double first_acceptance = 0.5;   // assumed before any move has been tried
constexpr double target_acceptance = 0.25; // the proposal scale is steered toward it

// The random numbers of one particle at one step of one generation.
CounterStream stream(std::uint64_t seed, int generation, std::int64_t step, std::uint64_t particle) {
  return CounterStream(StreamKey{seed, static_cast<std::uint64_t>(generation + 1), step, AgentKind::developer,
                                 StreamPurpose::calibration, particle});
}

double uniform(CounterStream& s) { return open_unit(s()); }

double normal(CounterStream& s) {
  const double u = uniform(s), v = uniform(s);
  return standard_normal(u, v);
}

double effective_size(const std::vector<double>& w) {
  double sum = 0, squares = 0;
  for (double x : w) sum += x, squares += x * x;
  return squares > 0 ? sum * sum / squares : 0.0;
}

// Weights that moving from beta to next gives equally weighted particles.
std::vector<double> incremental_weights(const std::vector<double>& distance2, double beta, double next) {
  std::vector<double> w(distance2.size());
  double least = std::numeric_limits<double>::infinity();
  for (double d : distance2) least = std::min(least, d);
  for (std::size_t j = 0; j < w.size(); ++j)
    w[j] = std::isfinite(distance2[j]) ? std::exp(-0.5 * (next - beta) * (distance2[j] - least)) : 0.0;
  return w;
}

// The lower Cholesky factor of a P x P covariance, with a small ridge where it is not
// positive definite (particles that all agree in a coordinate).
std::vector<double> cholesky(std::vector<double> a, int P) {
  double ridge = 0;
  for (int i = 0; i < P; ++i) ridge = std::max(ridge, a[i * P + i]);
  ridge = std::max(ridge, 1e-300) * 1e-10;
  for (int attempt = 0; attempt < 60; ++attempt, ridge *= 10) {
    std::vector<double> L(std::size_t(P) * P, 0.0);
    bool ok = true;
    for (int i = 0; i < P && ok; ++i)
      for (int j = 0; j <= i; ++j) {
        double sum = a[i * P + j] + (i == j ? (attempt ? ridge : 0.0) : 0.0);
        for (int k = 0; k < j; ++k) sum -= L[i * P + k] * L[j * P + k];
        if (i == j) {
          if (!(sum > 0)) { ok = false; break; }
          L[i * P + i] = std::sqrt(sum);
        } else {
          L[i * P + j] = sum / L[j * P + j];
        }
      }
    if (ok) return L;
  }
  throw std::runtime_error("calibration: the particles' covariance has no Cholesky factor");
}

}  // namespace

double standard_normal(double u, double v) {
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);  // Box–Muller, one of the pair
}

double Prior::value(double z) const { return kind == Kind::loguniform ? std::exp(z) : z; }
double Prior::coordinate(double v) const { return kind == Kind::loguniform ? std::log(v) : v; }

double Prior::draw(double u, double v) const {
  switch (kind) {
    case Kind::uniform: return lo + u * (hi - lo);
    case Kind::loguniform: return std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo)));
    case Kind::normal: return mean + sd * standard_normal(u, v);
  }
  return 0;
}

bool Prior::holds(double z) const {
  switch (kind) {
    case Kind::uniform: return z >= lo && z <= hi;
    case Kind::loguniform: return z >= std::log(lo) && z <= std::log(hi);
    case Kind::normal: return std::isfinite(z);
  }
  return false;
}

double Prior::log_density(double z) const {
  if (kind != Kind::normal) return 0.0;  // flat in z (a log-uniform is flat in the log)
  const double x = (z - mean) / sd;
  return -0.5 * x * x;
}

AbcSmc::AbcSmc(std::vector<Prior> priors, int summaries, SmcSettings settings)
    : priors_(std::move(priors)), summaries_(summaries), settings_(settings) {}

std::vector<double> AbcSmc::values(const SmcState& state, int particle) const {
  const int P = parameters();
  std::vector<double> theta(P);
  for (int p = 0; p < P; ++p) theta[p] = priors_[p].value(state.z[std::size_t(particle) * P + p]);
  return theta;
}

void AbcSmc::step(SmcState& state, const SimulateBatch& simulate) const {
  if (state.done) return;
  if (state.generation < 0) return draw_prior(state, simulate);
  if (state.move == state.moves && state.refreshed) start_generation(state);
  if (state.done) return;
  if (state.simulations + settings_.particles > settings_.simulations) {
    // The budget ends the run here: the particles are a sample at this tolerance
    // (every move leaves it invariant), however many moves they had.
    if (state.refreshed) close_generation(state);
    state.done = true;
    return;
  }
  if (!state.refreshed) return refresh(state, simulate);
  move(state, simulate);
}

// The noise a generation proposes for a particle's slot: a simulation index no other
// slot or generation uses.
std::int64_t AbcSmc::index_of(int generation, int particle) const {
  return std::int64_t(generation) * settings_.particles + particle;
}

// A move of the noise: each particle's simulation at fresh random numbers (the prior of
// the noise), kept with the Metropolis–Hastings probability min(1, K(new) / K(old)), so
// that the joint target of parameters and noise stays the one whose parameter marginal
// is the ABC posterior.
void AbcSmc::refresh(SmcState& state, const SimulateBatch& simulate) const {
  const int N = settings_.particles;
  std::vector<std::vector<double>> theta(N);
  std::vector<std::int64_t> index(N);
  for (int j = 0; j < N; ++j) theta[j] = values(state, j), index[j] = index_of(state.generation, j);
  std::vector<Simulated> out = simulate(theta, index);
  state.simulations += N;
  for (int j = 0; j < N; ++j) {
    CounterStream s = stream(settings_.seed, state.generation, -2, std::uint64_t(j));
    const bool better = !std::isfinite(state.distance2[j]);
    if (!std::isfinite(out[j].distance2) ||
        !(better || std::log(uniform(s)) < -0.5 * state.beta * (out[j].distance2 - state.distance2[j])))
      continue;
    state.noise[j] = index[j];
    state.distance2[j] = out[j].distance2;
    std::copy(out[j].summaries.begin(), out[j].summaries.end(), state.summaries.begin() + std::size_t(j) * summaries_);
  }
  state.refreshed = true;
}

void AbcSmc::draw_prior(SmcState& state, const SimulateBatch& simulate) const {
  const int N = settings_.particles, P = parameters();
  state.z.assign(std::size_t(N) * P, 0.0);
  std::vector<std::vector<double>> theta(N, std::vector<double>(P));
  std::vector<std::int64_t> index(N);
  for (int j = 0; j < N; ++j) {
    CounterStream s = stream(settings_.seed, 0, 0, std::uint64_t(j));
    for (int p = 0; p < P; ++p) {
      const double u = uniform(s), v = uniform(s);
      theta[j][p] = priors_[p].draw(u, v);
      state.z[std::size_t(j) * P + p] = priors_[p].coordinate(theta[j][p]);
    }
    index[j] = index_of(0, j);
  }
  state.noise = index;
  std::vector<Simulated> out = simulate(theta, index);
  state.distance2.resize(N);
  state.summaries.assign(std::size_t(N) * summaries_, std::numeric_limits<float>::quiet_NaN());
  for (int j = 0; j < N; ++j) {
    state.distance2[j] = out[j].distance2;
    std::copy(out[j].summaries.begin(), out[j].summaries.end(), state.summaries.begin() + std::size_t(j) * summaries_);
  }
  state.simulations = N;
  state.generation = 0;
  state.move = state.moves = 0;
  state.beta = 0;
  state.ess = N;
  close_generation(state);
}

void AbcSmc::start_generation(SmcState& state) const {
  const int N = settings_.particles, P = parameters();
  if (state.beta >= 1.0 || state.simulations + N > settings_.simulations) {
    state.converged = state.beta >= 1.0;
    state.done = true;
    return;
  }
  // The next tolerance: the lowest that keeps ess_fraction of the sample.
  const double wanted = settings_.ess_fraction * N;
  double next = 1.0;
  if (effective_size(incremental_weights(state.distance2, state.beta, 1.0)) < wanted) {
    double lo = state.beta, hi = 1.0;
    for (int i = 0; i < 100; ++i) {
      const double mid = 0.5 * (lo + hi);
      (effective_size(incremental_weights(state.distance2, state.beta, mid)) >= wanted ? lo : hi) = mid;
    }
    next = lo > state.beta ? lo : hi;
  }
  std::vector<double> w = incremental_weights(state.distance2, state.beta, next);
  double total = 0;
  for (double x : w) total += x;
  if (!(total > 0)) throw std::runtime_error("calibration: every simulation failed or lies infinitely far from the targets");
  for (double& x : w) x /= total;
  state.ess = effective_size(w);

  // The proposal: the weighted particles' covariance in z.
  std::vector<double> mean(P, 0.0), cov(std::size_t(P) * P, 0.0);
  for (int j = 0; j < N; ++j)
    for (int p = 0; p < P; ++p) mean[p] += w[j] * state.z[std::size_t(j) * P + p];
  for (int j = 0; j < N; ++j)
    for (int p = 0; p < P; ++p)
      for (int q = 0; q <= p; ++q)
        cov[p * P + q] += w[j] * (state.z[std::size_t(j) * P + p] - mean[p]) * (state.z[std::size_t(j) * P + q] - mean[q]);
  for (int p = 0; p < P; ++p)
    for (int q = 0; q < p; ++q) cov[q * P + p] = cov[p * P + q];
  state.cholesky = cholesky(cov, P);

  // Systematic resampling.
  CounterStream s = stream(settings_.seed, state.generation + 1, -1, 0);
  const double u = uniform(s);
  std::vector<double> z(state.z.size()), distance2(N);
  std::vector<std::int64_t> noise(N);
  std::vector<float> summaries(state.summaries.size());
  double cumulative = w[0];
  for (int j = 0, from = 0; j < N; ++j) {
    const double point = (j + u) / N;
    while (cumulative < point && from < N - 1) cumulative += w[++from];
    std::copy_n(state.z.begin() + std::size_t(from) * P, P, z.begin() + std::size_t(j) * P);
    std::copy_n(state.summaries.begin() + std::size_t(from) * summaries_, summaries_,
                summaries.begin() + std::size_t(j) * summaries_);
    distance2[j] = state.distance2[from];
    noise[j] = state.noise[from];
  }
  state.z = std::move(z);
  state.noise = std::move(noise);
  state.distance2 = std::move(distance2);
  state.summaries = std::move(summaries);

  // The kernel's scale and the number of moves, from the last generation's acceptance.
  const double optimal = 2.38 / std::sqrt(double(P));
  const double last = state.generation > 0 ? state.history.back().acceptance : first_acceptance;
  if (state.scale == 0) state.scale = optimal;
  else state.scale = std::clamp(state.scale * std::exp(last - target_acceptance), 0.05 * optimal, 2.0 * optimal);
  state.moves = last <= 0 ? settings_.max_moves
                          : std::clamp(int(std::ceil(std::log(1 - move_probability) / std::log(1 - std::min(last, 0.99)))),
                                       1, settings_.max_moves);
  state.beta = next;
  state.generation += 1;
  state.move = 0;
  state.proposed = state.accepted = 0;
  state.refreshed = false;
}

void AbcSmc::move(SmcState& state, const SimulateBatch& simulate) const {
  const int N = settings_.particles, P = parameters();
  std::vector<std::vector<double>> theta;
  std::vector<std::int64_t> index;
  std::vector<int> who;
  std::vector<double> proposal(std::size_t(N) * P), accept_u(N);
  for (int j = 0; j < N; ++j) {
    CounterStream s = stream(settings_.seed, state.generation, state.move, std::uint64_t(j));
    std::vector<double> xi(P);
    for (int p = 0; p < P; ++p) xi[p] = normal(s);
    accept_u[j] = uniform(s);
    bool inside = true;
    for (int p = 0; p < P; ++p) {
      double step = 0;
      for (int q = 0; q <= p; ++q) step += state.cholesky[p * P + q] * xi[q];
      const double z = state.z[std::size_t(j) * P + p] + state.scale * step;
      proposal[std::size_t(j) * P + p] = z;
      inside = inside && priors_[p].holds(z);
    }
    ++state.proposed;
    if (!inside) continue;  // the prior is zero there: rejected without a simulation
    std::vector<double> values(P);
    for (int p = 0; p < P; ++p) values[p] = priors_[p].value(proposal[std::size_t(j) * P + p]);
    theta.push_back(std::move(values));
    // At the particle's own noise: the move changes the parameters only.
    index.push_back(state.noise[j]);
    who.push_back(j);
  }
  std::vector<Simulated> out = simulate(theta, index);
  state.simulations += std::int64_t(theta.size());
  for (std::size_t i = 0; i < who.size(); ++i) {
    const int j = who[i];
    if (!std::isfinite(out[i].distance2)) continue;
    double log_ratio = -0.5 * state.beta * (out[i].distance2 - state.distance2[j]);
    for (int p = 0; p < P; ++p)
      log_ratio += priors_[p].log_density(proposal[std::size_t(j) * P + p]) -
                   priors_[p].log_density(state.z[std::size_t(j) * P + p]);
    if (!(std::log(accept_u[j]) < log_ratio)) continue;
    std::copy_n(proposal.begin() + std::size_t(j) * P, P, state.z.begin() + std::size_t(j) * P);
    state.distance2[j] = out[i].distance2;
    std::copy(out[i].summaries.begin(), out[i].summaries.end(), state.summaries.begin() + std::size_t(j) * summaries_);
    ++state.accepted;
  }
  state.move += 1;
  if (state.move == state.moves) close_generation(state);
}

void AbcSmc::close_generation(SmcState& state) const {
  const int N = settings_.particles;
  SmcGeneration g;
  g.tolerance = state.beta > 0 ? 1.0 / std::sqrt(state.beta) : std::numeric_limits<double>::infinity();
  g.ess = state.ess;
  g.acceptance = state.proposed > 0 ? double(state.accepted) / double(state.proposed) : 0.0;
  g.moves = state.move;
  g.simulations = state.simulations;
  for (int j = 0; j < N; ++j) {
    std::vector<double> theta = values(state, j);
    g.theta.insert(g.theta.end(), theta.begin(), theta.end());
  }
  g.distance2 = state.distance2;
  g.summaries = state.summaries;
  state.history.push_back(std::move(g));
  if (state.beta >= 1.0 && state.move == state.moves && state.generation > 0) {
    state.converged = true;
    state.done = true;
  }
}

}  // namespace stackrace
