#pragma once
// A tariff or service tax on a stack's price in the target countries.
#include "policies/policy_common.hpp"

namespace stackrace {

struct Tariff {
  PolicyWindow window;
  PolicyTargets targets;
  int stack = 0;
  double rate = 0;  // fraction added to the price

  bool operator==(const Tariff&) const = default;

  void edit(const PolicyContext& ctx, StackEnvironment& env) const {
    for (std::size_t c = 0; c < ctx.countries.size(); ++c)
      if (targets.includes(int(c))) env.price_in(int(c), stack) *= 1.0 + rate;
  }
};

}  // namespace stackrace
