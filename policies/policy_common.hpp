#pragma once
// What every policy has: a time window and the countries it targets, and what policies
// produce in a month: edits to the stacks' dynamics (StackDrivers) and to what agents
// see (StackEnvironment).
#include <array>
#include <climits>
#include <cstdint>
#include <vector>

#include "agents/attributes.hpp"
#include "agents/environment.hpp"

namespace stackrace {

// Months since the scenario's start: step t decides month t. A window may begin before
// the start (it is then in force from the first step) and end after the last step.
struct PolicyWindow {
  int first = INT_MIN;
  int last = INT_MAX;
  bool covers(int month) const { return month >= first && month <= last; }
  bool operator==(const PolicyWindow&) const = default;
};

// The countries a policy applies to, resolved from codes, regions, blocs and tiers.
struct PolicyTargets {
  std::vector<std::uint8_t> country;  // [country]
  bool includes(int c) const { return country[c] != 0; }
  bool operator==(const PolicyTargets&) const = default;
};

// Policy effects on the stacks' own dynamics in a month.
struct StackDrivers {
  std::array<double, 4> compute_growth_cut{};  // [Bloc]: share of the bloc's compute growth lost
  std::vector<std::uint8_t> release_stopped;   // [stack]: no new weights released: no progress

  explicit StackDrivers(int stacks = 0) : release_stopped(stacks, 0) {}
};

// What policies may read: the world's description and this month.
struct PolicyContext {
  const std::vector<StackSpec>& stacks;
  const std::vector<CountrySpec>& countries;
  int month;
};

inline int bloc_index(Bloc b) { return static_cast<int>(b); }

}  // namespace stackrace
