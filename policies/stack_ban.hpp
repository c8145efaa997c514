#pragma once
// A country bars a stack: for its government, for firms (and government), or for
// everyone (e.g. the government-device bans of DeepSeek in 2025). Users of a banned
// stack leave it in the month the ban starts.
#include "policies/policy_common.hpp"

namespace stackrace {

struct StackBan {
  PolicyWindow window;
  PolicyTargets targets;
  int stack = 0;
  enum class Scope { government, firms, all } scope = Scope::all;

  bool operator==(const StackBan&) const = default;

  bool covers(AgentKind kind) const {
    switch (scope) {
      case Scope::government: return kind == AgentKind::country;
      case Scope::firms: return kind != AgentKind::developer;
      case Scope::all: return true;
    }
    return true;
  }

  void edit(const PolicyContext& ctx, StackEnvironment& env) const {
    for (std::size_t c = 0; c < ctx.countries.size(); ++c)
      if (targets.includes(int(c)))
        for (AgentKind kind : all_agent_kinds)
          if (covers(kind)) env.banned[index_of(kind)][env.cell(int(c), stack)] = 1;
  }
};

}  // namespace stackrace
