#pragma once
// "AI stack in a box" (MODEL.md, 7.4 and 7.5): a bloc offers a country power, data
// centres and models (e.g. the Digital Silk Road). The whole mechanism is here: the
// offer, made once at the window's first month; each targeted government's decision,
// logistic in its affinity to the offering bloc and whether it already uses the bundle's
// stack; and, `build_months` after acceptance, the built bundle's effect on what the
// country's agents see: a lower price of the stack, local appeal, and lock-in — a cost of
// leaving the stack that agents pay on top of the switching cost (agents/transition.hpp) —
// and the compute and data-centre power it brings (model/compute_market.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "agents/stack_utility.hpp"
#include "policies/policy_common.hpp"

namespace stackrace {

struct InfrastructureBundle {
  PolicyWindow window;  // offered at the window's first month (or the first step), in force to its last
  PolicyTargets targets;
  int stack = 0;
  Bloc offered_by = Bloc::cn;
  int build_months = 24;
  double price_cut = 0.3;  // fraction of the stack's price saved once built
  double appeal = 0.5;     // utility of the local infrastructure once built
  double lock_in = 1.0;    // extra cost of leaving the stack once built
  double compute_share = 0;  // share of the country's new compute the bundle supplies once built (offering bloc's accelerators)
  double power_mw = 0;       // data-centre power it builds
  // Acceptance: logistic in accept_base + accept_alignment * bloc affinity + accept_government * [government uses the stack].
  double accept_base = 0.0;
  double accept_alignment = 2.0;
  double accept_government = 1.0;

  bool operator==(const InfrastructureBundle&) const = default;

  int offer_month() const { return std::max(window.first, 1); }

  // The probability that a government of a country aligned with `alignment` accepts.
  double acceptance(Bloc alignment, bool government_uses_stack) const {
    const double v = accept_base + accept_alignment * bloc_affinity(alignment, offered_by) +
                     accept_government * (government_uses_stack ? 1.0 : 0.0);
    return 1.0 / (1.0 + std::exp(-v));
  }

  // In the offer month, each targeted government decides with one uniform draw,
  // `draw(c)`; accepted_at[c] becomes the month of acceptance. `government_stack` [c]:
  // the stack each government used last month (-1: none).
  void decide(const PolicyContext& ctx, const std::vector<int>& government_stack,
              const std::function<double(int country)>& draw, std::vector<int>& accepted_at) const {
    if (offer_month() != ctx.month || !window.covers(ctx.month)) return;
    for (int c = 0; c < int(ctx.countries.size()); ++c) {
      if (!targets.includes(c)) continue;
      if (draw(c) < acceptance(ctx.countries[c].alignment, government_stack[c] == stack)) accepted_at[c] = ctx.month;
    }
  }

  // Whether a bundle accepted in month `accepted_at` (-1: not accepted) stands built in month t.
  bool built(int accepted_at, int t) const { return accepted_at >= 0 && t >= accepted_at + build_months; }

  // accepted_at[c]: the month country c accepted, or -1. (What it brings in compute and
  // power is the compute market's: model/compute_market.cpp.)
  void edit(const PolicyContext& ctx, const std::vector<int>& accepted_at, StackEnvironment& env) const {
    for (std::size_t c = 0; c < ctx.countries.size(); ++c) {
      if (!built(accepted_at[c], ctx.month)) continue;
      env.price_in(int(c), stack) *= 1.0 - price_cut;
      env.bonus[env.cell(int(c), stack)] += appeal;
      env.lock_in[env.cell(int(c), stack)] += lock_in;
    }
  }
};

}  // namespace stackrace
