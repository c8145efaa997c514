#pragma once
// What every agent can see at the start of a month: last month's aggregates and this
// month's stacks. Agents decide only on this (synchronous update), so the order in
// which populations revise within a month does not matter.
#include <array>
#include <vector>

#include "agents/agent_kind.hpp"
#include "agents/environment.hpp"

namespace stackrace {

struct MonthView {
  StackEnvironment env;                                 // capability [k], price [c][k]
  std::vector<double> developer_share;                  // [c][k]: share of the country's developers
  std::vector<double> global_developer_share;           // [k]: of the world's developers (real-weighted)
  std::vector<double> tie_developer_share;              // [c][k]: of the country's tie partners' developers (empty: no ties)
  std::array<std::vector<double>, agent_kind_count> adopted;  // [kind][c]: share not on the outside option
  std::array<std::vector<double>, agent_kind_count> kind_share;  // [kind][c][k]: share of the kind's agents
  std::vector<int> government_stack;                    // [c]: the government's stack, -1 for none
  std::vector<double> capacity_penalty;                 // [c]: utility lost by self-hosted stacks
  std::vector<double> power_load;                       // [c]: self-hosted load over the power AI may draw (NaN: no limit)
  std::vector<double> robot_pull;                       // [c][k]: what physical firms see of the stack's robots (empty: none)
};

}  // namespace stackrace
