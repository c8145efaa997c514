#pragma once
// A data-localisation or compliance rule: the target countries' regime becomes `level`
// (0 none, 1 partial, 2 strict), which penalises closed stacks of a foreign bloc (their
// data leaves the country) in proportion to each kind's `localisation` weight.
#include "policies/policy_common.hpp"

namespace stackrace {

struct DataLocalisation {
  PolicyWindow window;
  PolicyTargets targets;
  int level = 2;

  bool operator==(const DataLocalisation&) const = default;

  void edit(const PolicyContext& ctx, StackEnvironment& env) const {
    for (std::size_t c = 0; c < ctx.countries.size(); ++c)
      if (targets.includes(int(c))) env.localisation[c] = level;
  }
};

}  // namespace stackrace
