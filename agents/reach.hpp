#pragma once
// Who can get a stack (MODEL.md, 7.6.1, "Reach"): a stack its providers do not serve in
// a country, or that the country blocks, still reaches some of its agents — through
// VPNs, resellers, or weights downloaded and hosted at home. Its reach is the share of
// the country's agents that can get it in a month (1: served). Each time an agent
// chooses, it can get each unserved stack independently with that stack's reach, and
// chooses by logit among the stacks it can get; an adopter whose own stack is out of its
// reach this time must leave it if it revises. So a stack nobody serves holds at most its
// reach of the agents who choose, however good it is: its use is explained by leakage.
//
// Unserved stacks of a country are few (the choice is enumerated over the 2^n
// combinations of those it reaches), and a stack that is served costs nothing.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "agents/stack_choice.hpp"

namespace stackrace {

// The most stacks one country may leave unserved at once (scenario loaders check it).
inline constexpr int most_unserved = 8;

// Calls visit(weight, reached_utility) for each combination of the stacks an agent can
// get this month: `reached_utility` is `utility` with the stacks out of its reach at
// -inf (unavailable), written into `scratch` (utility.size() entries); `weight` is the
// combination's probability. Only stacks reached in part (0 < reach < 1) make
// combinations, so every weight is positive. With every stack served, one combination of
// weight 1.
template <class Visit>
void for_each_reach(std::span<const double> utility, std::span<const double> reach, std::span<double> scratch,
                    Visit&& visit) {
  // Only stacks reached in part make combinations: one reached by no one never is.
  int unserved[most_unserved];
  int n = 0;
  for (std::size_t k = 0; k < reach.size(); ++k)
    if (reach[k] > 0.0 && reach[k] < 1.0 && n < most_unserved) unserved[n++] = int(k);
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    double weight = 1.0;
    for (int i = 0; i < n; ++i) weight *= (mask >> i) & 1u ? reach[unserved[i]] : 1.0 - reach[unserved[i]];
    for (std::size_t k = 0; k < utility.size(); ++k) scratch[k] = reach[k] <= 0.0 ? -INFINITY : utility[k];
    for (int i = 0; i < n; ++i)
      if (!((mask >> i) & 1u)) scratch[unserved[i]] = -INFINITY;
    visit(weight, std::span<const double>(scratch.data(), utility.size()));
  }
}

// Whether every stack is served (reach empty or all 1): the plain logit applies.
inline bool all_served(std::span<const double> reach) {
  for (double r : reach)
    if (r < 1.0) return false;
  return true;
}

// The value of choosing at all when stacks are reached only in part: the logsum with each
// stack's odds weighted by its reach, ln Σ_k reach_k exp(u_k) — the expected sum of the
// odds over the combinations reached. Equals log_sum_exp(u) when every stack is served.
inline double reachable_value(std::span<const double> u, std::span<const double> reach) {
  double top = -INFINITY;
  for (std::size_t k = 0; k < u.size(); ++k)
    if (reach.empty() || reach[k] > 0) top = std::max(top, u[k]);
  if (std::isinf(top)) return top;
  double sum = 0;
  for (std::size_t k = 0; k < u.size(); ++k) {
    const double r = reach.empty() ? 1.0 : reach[k];
    if (r > 0) sum += r * std::exp(u[k] - top);
  }
  return top + std::log(sum);
}

// The split of agents choosing afresh (no current stack, so no switching cost): the logit
// among the stacks each can get, averaged over what they can get. Sums to less than 1
// where some agents can get no stack at all.
inline void reached_choice(std::span<const double> utility, std::span<const double> reach,
                           std::span<double> probability) {
  const std::size_t K = utility.size();
  if (all_served(reach)) {
    choice_probabilities(utility, -1, 0.0, probability);
    return;
  }
  std::vector<double> scratch(K), part(K);
  for (double& p : probability) p = 0.0;
  for_each_reach(utility, reach, scratch, [&](double weight, std::span<const double> reached_utility) {
    if (!choice_probabilities(reached_utility, -1, 0.0, part)) return;
    for (std::size_t k = 0; k < K; ++k) probability[k] += weight * part[k];
  });
}

}  // namespace stackrace
