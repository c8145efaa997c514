#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "agents/agent_kind.hpp"

namespace stackrace {

using StackIndex = std::uint8_t;  // at most 255 stacks, checked when a scenario is loaded

// The agents of one kind, sorted by country and, within a country, by segment (for
// firms: sector x size). Group g = country * segments + segment holds the agents
// [group_begin[g], group_begin[g + 1]). Only the stack is stored — one byte per
// agent — because everything else about an agent follows from its index.
struct AgentPopulation {
  AgentKind kind{};
  int segments = 1;
  std::vector<std::int64_t> group_begin;  // size countries * segments + 1
  std::vector<StackIndex> stack;          // size = number of agents

  std::int64_t size() const { return static_cast<std::int64_t>(stack.size()); }
  int group_count() const { return static_cast<int>(group_begin.size()) - 1; }
  int country_count() const { return group_count() / segments; }
  std::int64_t country_begin(int country) const { return group_begin[std::size_t(country) * segments]; }
  std::int64_t agents_in(int country) const { return country_begin(country + 1) - country_begin(country); }

  // The group of agent i: a binary search, used once per block; within a block the
  // engine walks forward from it.
  int group_of(std::int64_t i) const {
    auto it = std::upper_bound(group_begin.begin(), group_begin.end(), i);
    return static_cast<int>(it - group_begin.begin()) - 1;
  }
};

// agents_per_group: [country * segments + segment].
inline AgentPopulation make_population(AgentKind kind, int segments, const std::vector<std::int64_t>& agents_per_group) {
  AgentPopulation p{kind, segments, {0}, {}};
  for (std::int64_t n : agents_per_group) p.group_begin.push_back(p.group_begin.back() + n);
  p.stack.assign(static_cast<std::size_t>(p.group_begin.back()), 0);
  return p;
}

// Memory a run needs per agent (its stack byte) and beyond the agents (output buffers,
// tables, the libraries), used to refuse worlds that cannot fit before allocating them.
inline constexpr double bytes_per_agent = sizeof(StackIndex);
inline constexpr double fixed_run_bytes = 150e6;

}  // namespace stackrace
