#pragma once
// Where stacks are served (MODEL.md, 7.3, "Availability"): world data, not policy. Each
// entry says that from `window.first` to `window.last` a stack is not served in the
// target countries — its providers do not sell there, sanctions forbid it, or the
// country blocks it — and that only `leakage` of the country's agents reach it anyway
// (VPNs, resellers, downloaded weights); `kinds` may narrow it to some kinds of agent
// (a government does not use a VPN for its own work). What agents do with their reach is in
// agents/reach.hpp. Every shipped entry is sourced in worlds/SOURCES.md.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "agents/environment.hpp"
#include "policies/policy_common.hpp"

namespace stackrace {

struct StackAvailability {
  std::string name;  // what the entry stands for, e.g. "OpenAI, Anthropic and Google do not serve China"
  PolicyWindow window;
  PolicyTargets targets;
  int stack = 0;
  double leakage = 0;  // share of the country's agents that can still get the stack in a month
  std::array<bool, agent_kind_count> kinds{true, true, true};  // the kinds of agent it applies to

  bool operator==(const StackAvailability&) const = default;
};

// Month t's reach of each stack in each country: 1 where served, else the least leakage
// of the entries in force (two reasons not to be served do not add up to more reach).
inline void apply_availability(const std::vector<StackAvailability>& entries, int t, StackEnvironment& env) {
  for (const StackAvailability& a : entries) {
    if (!a.window.covers(t)) continue;
    for (AgentKind kind : all_agent_kinds) {
      if (!a.kinds[index_of(kind)]) continue;
      for (int c = 0; c < env.countries; ++c)
        if (a.targets.includes(c)) {
          double& reach = env.reach[index_of(kind)][env.cell(c, a.stack)];
          reach = std::min(reach, a.leakage);
        }
    }
  }
}

}  // namespace stackrace
