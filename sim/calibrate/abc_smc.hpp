#pragma once
// Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC) with adaptive
// tolerances and adaptive kernels, after Del Moral, Doucet & Jasra (2012, "An adaptive
// sequential Monte Carlo method for approximate Bayesian computation"):
//
// - A particle is a parameter vector with one simulation of the model, summarised by
//   its squared distance D² = Σ ((model_i − observed_i) / sd_i)² to the targets.
// - The ABC kernel is Gaussian, exp(−D² / (2 ε²)): at tolerance ε = 1 it is the
//   likelihood of the targets under normal observation errors of scale sd_i, so the
//   sampler's end is the posterior of the model with that error (Wilkinson 2013,
//   "Approximate Bayesian computation gives exact results under the assumption of model
//   error"), not an approximation that a finite tolerance leaves wide.
// - Generation 0 draws the particles from the prior. Each next one lowers the tolerance
//   as far as keeps `ess_fraction` of the effective sample size (bisection), reweights,
//   resamples (systematic), and moves every particle by Metropolis–Hastings steps whose
//   Gaussian proposal has the particles' covariance (scaled by 2.38²/P, and adapted to
//   the acceptance rate): as many steps as make each particle likely (90%) to move,
//   from the last generation's acceptance rate, at most `max_moves`.
// - The model is stochastic: a simulation is a function of the parameters and of its
//   random numbers (its "noise", named by a simulation index). The sampler's target is
//   the joint one, prior(θ) · p(noise) · K(D²(θ, noise)), whose θ-marginal is the ABC
//   posterior. A particle carries its noise: its parameter moves are simulated at that
//   noise (common random numbers, so a proposal is compared like with like), and each
//   generation begins with a move of the noise alone — fresh random numbers, kept with
//   probability min(1, K(new) / K(old)). Both moves leave the joint target invariant.
//   (Pseudo-marginal MCMC, which moves both at once, stalls when the model misses
//   targets by several sds, as a hindcast does: a little noise then swings the
//   likelihood by orders of magnitude, and no parameter proposal is ever accepted.)
// - It ends after the generation whose tolerance reaches 1, or before a step would pass
//   the simulation budget (then the last tolerance says how far it got).
//
// Every random number is keyed by (seed, generation, step, particle), and each step's
// simulations are independent, so the result is the same for any thread count, and a
// state saved between steps resumes to the same result.
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace stackrace {

// A standard normal from two uniforms in (0, 1) (Box–Muller, one of the pair).
double standard_normal(double u, double v);

// A parameter's prior. The sampler moves in an unbounded or box coordinate, z: the
// value for uniform and normal priors, its logarithm for log-uniform ones.
struct Prior {
  enum class Kind { uniform, loguniform, normal } kind = Kind::uniform;
  double lo = 0, hi = 1;    // uniform, loguniform (the value's bounds)
  double mean = 0, sd = 1;  // normal

  double value(double z) const;             // z -> the parameter's value
  double coordinate(double value) const;    // the value -> z
  double draw(double u, double v) const;    // a value of the prior from two uniforms in (0, 1)
  bool holds(double z) const;               // z inside the prior's support
  double log_density(double z) const;       // of z, up to a constant
};

struct SmcSettings {
  int particles = 500;
  std::int64_t simulations = 50'000;  // budget
  double ess_fraction = 0.5;
  int max_moves = 10;
  std::uint64_t seed = 1;
};

// What one simulation left: its squared normalised distance (infinite where the model
// failed) and its summaries (the model's value of every target, fitted or not).
struct Simulated {
  double distance2 = std::numeric_limits<double>::infinity();
  std::vector<float> summaries;
};

// One generation as the result file keeps it: the particles after its moves.
struct SmcGeneration {
  double tolerance = std::numeric_limits<double>::infinity();  // ε; the prior's generation has none
  double ess = 0;          // effective sample size after reweighting, before resampling
  double acceptance = 0;   // share of the moves' proposals accepted (0 for the prior's)
  int moves = 0;           // MCMC steps taken
  std::int64_t simulations = 0;  // simulations run up to its end
  std::vector<double> theta;     // [particle][parameter], values
  std::vector<double> distance2; // [particle]
  std::vector<float> summaries;  // [particle][summary]
};

// The sampler's whole state between two steps: what a checkpoint saves.
struct SmcState {
  int generation = -1;  // -1: nothing drawn yet
  int move = 0;         // moves done in this generation
  int moves = 0;        // moves planned for it
  double beta = 0;      // 1 / ε²
  double scale = 0;     // proposal scale (0: not set yet)
  double ess = 0;
  std::int64_t simulations = 0;
  std::int64_t proposed = 0, accepted = 0;  // this generation's moves
  std::vector<double> z;          // [particle][parameter]
  std::vector<double> distance2;  // [particle]
  std::vector<float> summaries;   // [particle][summary]
  std::vector<std::int64_t> noise;  // [particle]: the simulation index of its random numbers
  std::vector<double> cholesky;   // [parameter][parameter], lower: the proposal's covariance factor
  std::vector<SmcGeneration> history;
  bool refreshed = true;  // the generation's noise move is done
  bool done = false;
  bool converged = false;  // it reached ε = 1
};

// Runs a batch of simulations side by side: one for each parameter vector (values), with
// the given simulation indices (each simulation's random numbers are keyed by its index).
using SimulateBatch = std::function<std::vector<Simulated>(const std::vector<std::vector<double>>& theta,
                                                           const std::vector<std::int64_t>& index)>;

class AbcSmc {
 public:
  AbcSmc(std::vector<Prior> priors, int summaries, SmcSettings settings);
  // One step: the prior's draw, or one move of every particle (a new generation's
  // reweighting and resampling come first where the last one is complete). Sets
  // state.done at the end.
  void step(SmcState& state, const SimulateBatch& simulate) const;
  int parameters() const { return static_cast<int>(priors_.size()); }
  const std::vector<Prior>& priors() const { return priors_; }

 private:
  void draw_prior(SmcState& state, const SimulateBatch& simulate) const;
  void start_generation(SmcState& state) const;
  void refresh(SmcState& state, const SimulateBatch& simulate) const;
  void move(SmcState& state, const SimulateBatch& simulate) const;
  std::int64_t index_of(int generation, int particle) const;
  void close_generation(SmcState& state) const;
  std::vector<double> values(const SmcState& state, int particle) const;

  std::vector<Prior> priors_;
  int summaries_;
  SmcSettings settings_;
};

}  // namespace stackrace
