#include "sim/stack_dynamics.hpp"

#include <algorithm>
#include <cmath>

namespace stackrace {
namespace {

// The frontier moves at the fastest stack's growth: a month of lag costs that much score.
double frontier_growth(const Scenario& s) {
  double g = 0;
  for (const StackSpec& k : s.stacks)
    if (!k.outside) g = std::max(g, k.capability_growth);
  return g;
}

// The leader's bloc: that of the first AI stack with no lag at the start.
const BlocCompute* leader_compute(const Scenario& s) {
  for (const StackSpec& k : s.stacks)
    if (!k.outside && k.lag_months == 0) return &s.compute.of(k.bloc);
  return nullptr;
}

double compute_at(const BlocCompute& b, int t) { return b.share * std::pow(1.0 + b.growth, t); }

}  // namespace

StackState initial_stack_state(const Scenario& s) {
  StackState state;
  for (const StackSpec& k : s.stacks) {
    state.lag.push_back(k.lag_months);
    state.capability.push_back(k.capability);
    state.price.push_back(k.price);
  }
  return state;
}

void advance_stacks(const Scenario& s, int t, const std::vector<double>& usage, StackState& state) {
  const double g = frontier_growth(s);
  const BlocCompute* leader = leader_compute(s);
  const bool lag_moves = s.feedback.compute_lag && leader && leader->share > 0;
  for (int k = 0; k < s.stack_count(); ++k) {
    const StackSpec& spec = s.stacks[k];
    state.price[k] = spec.price * std::pow(1.0 - spec.price_decline, t);
    if (spec.outside) continue;
    if (lag_moves && spec.lag_months > 0) {
      // Months of frontier progress the follower makes in a month: its relative compute,
      // raised to an elasticity, times a catch-up advantage that grows with the lag
      // (the further behind, the more there is to learn from the leader), plus what
      // its usage teaches it. The lag settles where this equals one.
      const double relative = compute_at(s.compute.of(spec.bloc), t) / compute_at(*leader, t);
      double progress = std::pow(relative, s.compute.compute_elasticity) * (1.0 + s.compute.catch_up * state.lag[k]);
      if (s.feedback.deployment_data) progress += s.compute.deployment_alpha * usage[k];
      state.lag[k] = std::max(0.0, state.lag[k] + 1.0 - progress);
    }
    state.capability[k] = spec.capability + spec.capability_growth * t - g * (state.lag[k] - spec.lag_months);
  }
}

}  // namespace stackrace
