#pragma once
// A bloc pays part of a stack's price, or of its set-up, in the target countries (e.g.
// the "American AI Exports" full-stack packages).
#include "policies/policy_common.hpp"

namespace stackrace {

struct Subsidy {
  PolicyWindow window;
  PolicyTargets targets;
  int stack = 0;
  double price_share = 0;  // fraction of the price paid by the subsidising bloc
  double setup = 0;        // utility of the set-up help

  bool operator==(const Subsidy&) const = default;

  void edit(const PolicyContext& ctx, StackEnvironment& env) const {
    for (std::size_t c = 0; c < ctx.countries.size(); ++c) {
      if (!targets.includes(int(c))) continue;
      env.price_in(int(c), stack) *= 1.0 - price_share;
      env.bonus[env.cell(int(c), stack)] += setup;
    }
  }
};

}  // namespace stackrace
