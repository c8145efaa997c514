#include "model/stack_dynamics.hpp"

#include <algorithm>
#include <cmath>

#include "model/capital.hpp"

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
Bloc leader_bloc(const Scenario& s) {
  for (const StackSpec& k : s.stacks)
    if (!k.outside && k.lag_months == 0) return k.bloc;
  return Bloc::none;
}


// A stack whose lag moved by `more_lag` months sells a capability that much older (or
// newer): its price moves by the ratio of the fixed-capability path to its own, per month.
void reprice(const Scenario& s, const StackSpec& spec, double more_lag, double& price) {
  const double per_month = (1.0 - s.prices.fixed_capability_decline) / (1.0 - spec.price_decline);
  price *= std::pow(per_month, more_lag);
}

// The events of month t, in file order, after the month's dynamics. A new lag moves the
// capability by the frontier's growth per month of lag (g) and, with lag pricing, the
// price too (unless the event sets the price itself).
void apply_events(const Scenario& s, double g, StackState& state) {
  for (const StackEvent& e : s.events) {
    if (e.month != state.month) continue;
    if (e.lag_months) {
      const double more_lag = *e.lag_months - state.lag[e.stack];
      state.capability[e.stack] -= g * more_lag;
      state.lag[e.stack] = *e.lag_months;
      if (s.feedback.lag_pricing && !e.price) reprice(s, s.stacks[e.stack], more_lag, state.price[e.stack]);
    }
    if (e.capability) state.capability[e.stack] = *e.capability;
    if (e.price) state.price[e.stack] = *e.price;
  }
}

}  // namespace

StackState initial_stack_state(const Scenario& s) {
  StackState state;
  for (const StackSpec& k : s.stacks) {
    state.lag.push_back(k.lag_months);
    state.capability.push_back(k.capability);
    state.price.push_back(k.price);
  }
  for (Bloc b : {Bloc::us, Bloc::cn, Bloc::other})
    state.chips[bloc_index(b)] = state.compute[bloc_index(b)] = s.compute.of(b).share;
  return state;
}

void advance_stacks(const Scenario& s, const std::vector<double>& usage, const StackDrivers& drivers,
                    StackState& state) {
  const int t = ++state.month;
  for (Bloc b : {Bloc::us, Bloc::cn, Bloc::other}) {
    const BlocCompute& bloc = s.compute.of(b);
    double& chips = state.chips[bloc_index(b)];
    // Export controls cut the share `cut` of the bloc's growth: with capital, of what it
    // buys beyond what wears out (they do not speed a shrinking stock's decline).
    const double kept = 1.0 - drivers.compute_growth_cut[bloc_index(b)];
    if (invests(s, bloc)) {
      const double net = chips_bought(s.compute, bloc, t) - s.compute.depreciation * chips;
      chips += net > 0 ? net * kept : net;
    } else {
      chips *= 1.0 + bloc.growth * kept;
    }
    state.compute[bloc_index(b)] = chips;
    if (s.feedback.energy_limits && bloc.power_gw > 0) {
      const double power = std::max(0.0, bloc.power_gw + bloc.power_growth_gw * t) / bloc.power_gw;
      const double runnable =
          bloc.share * s.compute.power_headroom * power * std::pow(1.0 + s.compute.efficiency_growth, t);
      state.compute[bloc_index(b)] = std::min(chips, runnable);
    }
  }
  const double g = frontier_growth(s);
  const Bloc leader = leader_bloc(s);
  const double leader_compute = leader == Bloc::none ? 0.0 : state.compute[bloc_index(leader)];
  const bool compute_moves = s.feedback.compute_lag && leader_compute > 0;
  const bool usage_moves = s.feedback.deployment_data && s.compute.deployment_alpha > 0;
  for (int k = 0; k < s.stack_count(); ++k) {
    const StackSpec& spec = s.stacks[k];
    state.price[k] *= 1.0 - spec.price_decline;
    if (spec.outside) continue;
    const double lag_before = state.lag[k];
    if (drivers.release_stopped[k]) {
      // No new weights: the stack stands still while the frontier moves on.
      state.lag[k] += 1.0;
      state.capability[k] += spec.capability_growth - g * 1.0;
      if (s.feedback.lag_pricing) reprice(s, spec, 1.0, state.price[k]);
      continue;
    }
    // Only followers of another bloc move relative to the frontier: the leader defines
    // it, and a follower in the leader's bloc (US open weights behind US closed models)
    // has the same compute and lags by its makers' choice, so it keeps pace.
    if (spec.lag_months > 0 && spec.bloc != leader && (compute_moves || usage_moves)) {
      // Months of frontier progress the follower makes in a month: its relative compute,
      // raised to an elasticity, times a catch-up advantage that grows with the lag
      // (the further behind, the more there is to learn from the leader) — or exactly
      // one month, keeping pace, when that loop is off — plus what its usage teaches it.
      // The lag settles where this equals one.
      double progress = 1.0;
      if (compute_moves) {
        const double relative = state.compute[bloc_index(spec.bloc)] / leader_compute;
        progress = std::pow(relative, s.compute.compute_elasticity) * (1.0 + s.compute.catch_up * state.lag[k]);
      }
      if (usage_moves) progress += s.compute.deployment_alpha * usage[k];
      state.lag[k] = std::max(0.0, state.lag[k] + 1.0 - progress);
    }
    state.capability[k] += spec.capability_growth - g * (state.lag[k] - lag_before);
    if (s.feedback.lag_pricing) reprice(s, spec, state.lag[k] - lag_before, state.price[k]);
  }
  apply_events(s, g, state);
}

}  // namespace stackrace
