#pragma once
// What each stack is worth to a group of agents this month (MODEL.md, 7.6.1): what the
// group sees of the stack — the month view after policies' edits — weighed by its kind's
// weights (agents/stack_utility.hpp). A stack the group cannot choose (the outside
// option, or a stack banned for its kind in its country) is worth -inf.
#include <cmath>
#include <limits>
#include <span>

#include "agents/month_view.hpp"
#include "agents/segments.hpp"
#include "agents/stack_utility.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// The situation of the agents of a group: country c and, for firms, the segment's sector
// and size; the employer's stack is the caller's to set (developers only).
inline AgentSituation group_situation(const Scenario& s, AgentKind kind, int c, int segment, const MonthView& view) {
  AgentSituation a;
  a.country = &s.countries[c];
  a.physical_industry = kind == AgentKind::firm && segment_is_physical(segment);
  a.large = kind == AgentKind::firm && segment_is_large(segment);
  a.government_stack = view.government_stack.empty() ? -1 : view.government_stack[c];
  return a;
}

// The utility of stack k to agents of `kind` in situation `a` (in country c), before the
// switching cost. `constants` are the kind's calibrated constants [c][k] (null: none);
// `log_price(k, price)` returns ln(price).
template <class LogPrice>
double stack_value(const Scenario& s, AgentKind kind, const KindWeights& w, const AgentSituation& a, int c, int k,
                   const MonthView& view, const double* constants, LogPrice&& log_price) {
  const StackEnvironment& env = view.env;
  const std::size_t cell = env.cell(c, k);
  if (s.stacks[k].outside || env.banned[index_of(kind)][cell]) return -std::numeric_limits<double>::infinity();
  const bool network = s.feedback.network;
  const StackSight sight{k,
                         &s.stacks[k],
                         env.capability[k],
                         log_price(k, env.price[cell]),
                         network ? view.developer_share[cell] : 0.0,
                         network ? view.global_developer_share[k] : 0.0,
                         network && !view.tie_developer_share.empty() ? view.tie_developer_share[cell] : 0.0,
                         view.capacity_penalty.empty() ? 0.0 : view.capacity_penalty[c],
                         constants ? constants[cell] : 0.0,
                         env.bonus[cell],
                         !env.open_restricted[cell],
                         env.localisation[c],
                         view.robot_pull.empty() ? 0.0 : view.robot_pull[cell]};
  return stack_utility(w, a, sight);
}

// Every stack's utility into u[0 .. K).
inline void stack_values(const Scenario& s, AgentKind kind, const AgentSituation& a, int c, const MonthView& view,
                         const double* constants, std::span<double> u) {
  const KindWeights& w = s.kind_weights(kind);
  for (int k = 0; k < int(u.size()); ++k)
    u[k] = stack_value(s, kind, w, a, c, k, view, constants, [](int, double price) { return std::log(price); });
}

}  // namespace stackrace
