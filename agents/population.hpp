#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "agents/agent_kind.hpp"

namespace stackrace {

using StackIndex = std::uint8_t;  // at most 255 stacks, checked when a scenario is loaded

// The agents of one kind, sorted by country: the agents of country c are the indices
// [country_begin[c], country_begin[c + 1]). Only the stack is stored — one byte per agent —
// because everything else about an agent follows from its index.
struct AgentPopulation {
  AgentKind kind;
  std::vector<std::int64_t> country_begin;  // size countries + 1
  std::vector<StackIndex> stack;            // size = number of agents

  std::int64_t size() const { return static_cast<std::int64_t>(stack.size()); }
  int country_count() const { return static_cast<int>(country_begin.size()) - 1; }
  std::int64_t agents_in(int country) const { return country_begin[country + 1] - country_begin[country]; }

  // The country of agent i: a binary search, used once per block; within a block the
  // engine walks forward from it.
  int country_of(std::int64_t i) const {
    auto it = std::upper_bound(country_begin.begin(), country_begin.end(), i);
    return static_cast<int>(it - country_begin.begin()) - 1;
  }
};

inline AgentPopulation make_population(AgentKind kind, const std::vector<std::int64_t>& agents_per_country) {
  AgentPopulation p{kind, {0}, {}};
  for (std::int64_t n : agents_per_country) p.country_begin.push_back(p.country_begin.back() + n);
  p.stack.assign(static_cast<std::size_t>(p.country_begin.back()), 0);
  return p;
}

}  // namespace stackrace

namespace stackrace {
// Memory a run needs per agent (its stack byte) and beyond the agents (output buffers,
// tables, the libraries), used to refuse worlds that cannot fit before allocating them.
inline constexpr double bytes_per_agent = sizeof(StackIndex);
inline constexpr double fixed_run_bytes = 150e6;
}  // namespace stackrace
