#include "model/calibration.hpp"

#include <algorithm>
#include <cmath>

#include "agents/reach.hpp"
#include "agents/stack_choice.hpp"
#include "model/month_view.hpp"
#include "model/utilities.hpp"

namespace stackrace {
namespace {

// The split of new adopters in country c to match: its users' split among the AI stacks
// (the kind's own starting shares, or its developers' where the kind has no users), with
// the kind's momentum on the stacks that have it; every AI stack keeps some odds.
void target_split(const Scenario& s, AgentKind kind, int c, std::vector<double>& split) {
  const int K = s.stack_count();
  const double momentum = s.kind_weights(kind).calibrate_momentum;
  split.assign(K, 0.0);
  double total = 0;
  for (AgentKind source : {kind, AgentKind::developer}) {
    const std::vector<double>& share = s.countries[c].initial_share[index_of(source)];
    for (int k = 0; k < K; ++k) split[k] = s.stacks[k].outside ? 0.0 : share[k];
    total = 0;
    for (double x : split) total += x;
    if (total > 0) break;
  }
  for (int k = 0; k < K; ++k) {
    if (s.stacks[k].outside) continue;
    if (total <= 0) split[k] = 1.0;
    split[k] = std::max(split[k], 1e-4) * (s.stacks[k].momentum ? momentum : 1.0);
  }
}

// The constants [k] that make new adopters of utilities u (before constants) split as
// `split` (odds) where some stacks are reached only in part: the plain logit's closed form
// would overshoot the stacks reached by all, so the constants are refined until the split
// averaged over what agents reach is the target. An unserved stack's target is held below
// its reach (it cannot take more of the choosers than can get it), the rest rescaled.
// Where the targets still cannot all be met (no stack fully served, several reached in
// part), the refinement would only drift: it keeps the constants that came closest.
void fit_reached(const Scenario& s, std::span<const double> u, std::span<const double> reach,
                 std::vector<double> split, double* constant) {
  const int K = s.stack_count();
  double total = 0, capped = 0, free = 0;
  for (double x : split) total += x;
  bool served = false;
  for (int k = 0; k < K; ++k) served = served || (!s.stacks[k].outside && reach[k] >= 1.0);
  for (int k = 0; k < K; ++k) {
    split[k] /= total;
    if (served && reach[k] < 1.0) split[k] = std::min(split[k], 0.95 * reach[k]), capped += split[k];
    else free += split[k];
  }
  for (int k = 0; k < K; ++k)
    if (!(served && reach[k] < 1.0) && free > 0) split[k] *= (1.0 - capped) / free;
  std::vector<double> v(K), p(K), step(K), best(constant, constant + K);
  double closest = INFINITY;
  // A target held at 0.95 of its reach closes about 5% of its gap a round: enough rounds
  // to get within 1e-12 from any start the closed form gives.
  for (int round = 0; round < 2000; ++round) {
    for (int k = 0; k < K; ++k) v[k] = u[k] + constant[k];
    reached_choice(v, reach, p);
    double chosen = 0, worst = 0;
    for (double x : p) chosen += x;
    std::fill(step.begin(), step.end(), 0.0);
    for (int k = 0; k < K; ++k) {
      if (s.stacks[k].outside || split[k] <= 0 || p[k] <= 0) continue;
      step[k] = std::log(split[k] / (p[k] / chosen));
      worst = std::max(worst, std::abs(step[k]));
    }
    if (worst < closest) closest = worst, best.assign(constant, constant + K);
    if (worst < 1e-12) break;
    for (int k = 0; k < K; ++k) constant[k] += step[k];
  }
  std::copy(best.begin(), best.end(), constant);
}

}  // namespace

Calibration calibrate(const Scenario& s) {
  const int K = s.stack_count(), C = s.country_count();
  const MonthView start = expected_start(s);
  Calibration cal;
  std::vector<double> u(K), split;
  for (AgentKind kind : all_agent_kinds) {
    std::vector<double>& constant = cal.constant[index_of(kind)];
    constant.assign(std::size_t(C) * K, 0.0);
    if (!s.kind_weights(kind).calibrate) {
      // Not fitted to the start: every country's constant is the stack's appeal.
      for (int c = 0; c < C; ++c)
        for (int k = 0; k < K; ++k) constant[std::size_t(c) * K + k] = s.stacks[k].appeal;
    } else {
      for (int c = 0; c < C; ++c) {
        // The logit odds of stack k are exp(U_k + constant_k): constant_k = ln(split_k) - U_k
        // makes them the target split. The government's and the employer's pull are left
        // out: they depend on the draw of the starting stacks, and the constants must not.
        AgentSituation a = group_situation(s, kind, c, 0, start);
        a.government_stack = -1;
        stack_values(s, kind, a, c, start, nullptr, u);
        target_split(s, kind, c, split);
        for (int k = 0; k < K; ++k)
          if (!s.stacks[k].outside) constant[std::size_t(c) * K + k] = std::log(split[k]) - u[k];
        const std::span<const double> reach = start.env.reach_in(kind, c);
        if (!all_served(reach)) fit_reached(s, u, reach, split, constant.data() + std::size_t(c) * K);
      }
    }
    // The value of adopting for the country's first segment, no employer, against the
    // reference start: a stack made cheaper or better than its reference speeds adoption
    // from the first month.
    std::vector<double>& value = cal.start_value[index_of(kind)];
    value.reserve(C);
    for (int c = 0; c < C; ++c) {
      stack_values(s, kind, group_situation(s, kind, c, 0, start), c, start, constant.data(), u);
      value.push_back(reachable_value(u, start.env.reach_in(kind, c)));
    }
  }
  return cal;
}

}  // namespace stackrace
