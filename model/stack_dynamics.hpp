#pragma once
// How the stacks themselves change month by month (MODEL.md, "Stacks evolve"): prices
// fall; the frontier's capability grows; a follower's lag behind it closes or widens
// with its bloc's compute relative to the leader's, and with how much it is used
// (deployment -> data -> capability). A bloc's usable compute is its chips, capped by
// what its data-centre power can run: power grows by a fixed build-out a month
// (time-to-power), compute per watt by a fixed rate. Policies act through StackDrivers: export
// controls slow a bloc's compute; a bloc that stops releasing open weights stops its open
// stacks' progress. Dated events (model/stack_events.hpp) set a stack's lag, capability
// or price in their month.
#include <array>
#include <vector>

#include "policies/policy_common.hpp"
#include "model/scenario.hpp"

namespace stackrace {

struct StackState {
  std::vector<double> lag;         // months behind the frontier
  std::vector<double> capability;  // score
  std::vector<double> price;       // USD per million tokens, before policies edit it per country
  std::array<double, 4> chips{};    // [Bloc]: AI chips installed, in units of the world's compute at the start
  std::array<double, 4> compute{};  // [Bloc]: compute the bloc can use: its chips, capped by its power
  int month = 0;
};

StackState initial_stack_state(const Scenario& s);

// Moves the stacks from month t - 1 to month t; `usage` is last month's world-wide
// developer share of each stack.
void advance_stacks(const Scenario& s, const std::vector<double>& usage, const StackDrivers& drivers,
                    StackState& state);

}  // namespace stackrace
