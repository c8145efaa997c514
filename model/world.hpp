#pragma once
// The world a run simulates: a checked scenario and everything that follows from it
// without the seed — how many agents of each kind each country has and how they split
// into segments, how many real developers, firms or governments each stands for, the
// robots physical firms run, and the calibrated constants. worlds/ builds it once
// (worlds/world_builder.hpp); every run of the scenario, whatever its seed, simulates
// the same World, which never changes.
#include <array>
#include <cstdint>
#include <vector>

#include "agents/agent_kind.hpp"
#include "agents/segments.hpp"
#include "agents/usage.hpp"
#include "model/calibration.hpp"
#include "model/country_ties.hpp"
#include "model/robots.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// How one kind's agents are laid out over countries and segments.
struct PopulationLayout {
  int segments = 1;
  std::vector<std::int64_t> agents_per_group;  // [country * segments + segment]
  std::vector<std::int64_t> agents;             // [country]
  std::vector<double> weight;                   // [country]: real entities per agent at the start (0 where none)
  std::vector<double> per_agent;                // [country]: 1 / agents (0 where none)
  // [month][country]: how many times its start the country's real count is (talent,
  // model/talent.hpp); empty: the same every month.
  std::vector<double> growth;

  // How many times its count country c's real count is in month t.
  double growth_at(int c, int t) const { return growth.empty() ? 1.0 : growth[std::size_t(t) * weight.size() + c]; }
  // Real entities each agent of country c stands for in month t.
  double weight_at(int c, int t) const { return weight[c] * growth_at(c, t); }
  // [country * segments + segment]: how many of its country's average agents (weight)
  // one agent of the group stands for; empty where every group's agents weigh the same.
  std::vector<double> relative_weight;
  double relative_weight_of(std::size_t group) const { return relative_weight.empty() ? 1.0 : relative_weight[group]; }
  // [country * segments + segment]: firms: how many times the staff of the average firm its
  // agents stand for a firm of the group employs (agents/usage.hpp); empty for other kinds.
  std::vector<double> staff_per_firm;
  double staff_per_firm_of(std::size_t group) const { return staff_per_firm.empty() ? 1.0 : staff_per_firm[group]; }
  // How many of its country's average agents' tokens one adopting agent of the group uses
  // (agents/usage.hpp): the entities it stands for, times a firm's staff and sector.
  double usage_of(const UsageRule& rule, std::size_t group) const {
    return relative_weight_of(group) * firm_segment_usage(rule, staff_per_firm_of(group), int(group % segments));
  }
};

struct World {
  Scenario scenario;
  std::array<PopulationLayout, agent_kind_count> populations;  // by AgentKind
  RobotPath robots;  // the robots physical firms run, by maker (model/robots.hpp)
  CountryTies ties;  // whose developers each country's see (model/country_ties.hpp)
  Calibration calibration;

  const PopulationLayout& population(AgentKind kind) const { return populations[index_of(kind)]; }
  int stack_count() const { return scenario.stack_count(); }
  int country_count() const { return scenario.country_count(); }
};

}  // namespace stackrace
