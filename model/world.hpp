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
#include "model/calibration.hpp"
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
  // Country c's agents of each size, {small, large} (agents/segments.hpp; one segment: all small).
  std::array<std::int64_t, 2> agents_by_size(int c) const {
    std::array<std::int64_t, 2> by_size{};
    for (int segment = 0; segment < segments; ++segment)
      by_size[segment_is_large(segment) ? 1 : 0] += agents_per_group[std::size_t(c) * segments + segment];
    return by_size;
  }
};

struct World {
  Scenario scenario;
  std::array<PopulationLayout, agent_kind_count> populations;  // by AgentKind
  RobotPath robots;  // the robots physical firms run, by maker (model/robots.hpp)
  Calibration calibration;

  const PopulationLayout& population(AgentKind kind) const { return populations[index_of(kind)]; }
  int stack_count() const { return scenario.stack_count(); }
  int country_count() const { return scenario.country_count(); }
};

}  // namespace stackrace
