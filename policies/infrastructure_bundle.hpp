#pragma once
// "AI stack in a box": a bloc offers a country power, data centres and models (e.g. the
// Digital Silk Road). The country's government decides at the offer whether to accept
// (agents/bundle_choice.hpp); an accepted bundle takes `build_months` to build, then
// lowers the stack's price there, adds to its appeal, and makes leaving it costlier.
#include <algorithm>
#include <vector>

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
  // Acceptance: logistic in accept_base + accept_alignment * bloc affinity + accept_government * [government uses the stack].
  double accept_base = 0.0;
  double accept_alignment = 2.0;
  double accept_government = 1.0;

  bool operator==(const InfrastructureBundle&) const = default;

  int offer_month() const { return std::max(window.first, 1); }

  // accepted_at[c]: the month country c accepted, or -1.
  void edit(const PolicyContext& ctx, const std::vector<int>& accepted_at, StackEnvironment& env) const {
    for (std::size_t c = 0; c < ctx.countries.size(); ++c) {
      if (accepted_at[c] < 0 || ctx.month < accepted_at[c] + build_months) continue;
      env.price_in(int(c), stack) *= 1.0 - price_cut;
      env.bonus[env.cell(int(c), stack)] += appeal;
      env.lock_in[env.cell(int(c), stack)] += lock_in;
    }
  }
};

}  // namespace stackrace
