#pragma once
// A bloc stops releasing open weights from a date (its open stacks stop progressing, so
// they fall further behind every month), or the target countries restrict their use
// (the open weights no longer count as such, and using them costs `penalty`).
#include "policies/policy_common.hpp"

namespace stackrace {

struct OpenWeightRestriction {
  PolicyWindow window;
  PolicyTargets targets;
  Bloc bloc = Bloc::cn;
  enum class Mode { stop_release, restrict_use } mode = Mode::stop_release;
  double penalty = 0;

  bool operator==(const OpenWeightRestriction&) const = default;

  void drive(const PolicyContext& ctx, StackDrivers& drivers) const {
    if (mode != Mode::stop_release) return;
    for (std::size_t k = 0; k < ctx.stacks.size(); ++k)
      if (ctx.stacks[k].bloc == bloc && ctx.stacks[k].open_weights) drivers.release_stopped[k] = 1;
  }

  void edit(const PolicyContext& ctx, StackEnvironment& env) const {
    if (mode != Mode::restrict_use) return;
    for (std::size_t c = 0; c < ctx.countries.size(); ++c) {
      if (!targets.includes(int(c))) continue;
      for (std::size_t k = 0; k < ctx.stacks.size(); ++k) {
        if (ctx.stacks[k].bloc != bloc || !ctx.stacks[k].open_weights) continue;
        env.open_restricted[env.cell(int(c), int(k))] = 1;
        env.bonus[env.cell(int(c), int(k))] -= penalty;
      }
    }
  }
};

}  // namespace stackrace
