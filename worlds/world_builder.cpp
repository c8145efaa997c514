#include "worlds/world_builder.hpp"

#include <utility>

#include "agents/segments.hpp"
#include "model/talent.hpp"
#include "worlds/agent_allocation.hpp"

namespace stackrace {
namespace {

// The real developers, firms or governments (one) of each country.
std::vector<double> real_counts(const Scenario& s, AgentKind kind) {
  std::vector<double> real;
  for (const CountrySpec& c : s.countries)
    real.push_back(kind == AgentKind::developer ? c.developers : kind == AgentKind::firm ? c.firms : 1.0);
  return real;
}

std::vector<std::int64_t> agents_per_country(const Scenario& s, AgentKind kind) {
  switch (kind) {
    case AgentKind::country: return std::vector<std::int64_t>(s.countries.size(), 1);
    case AgentKind::firm: return allocate_agents(s.firm_agents, real_counts(s, kind));
    case AgentKind::developer: return allocate_agents(s.developer_agents, real_counts(s, kind));
  }
  return {};
}

// A country's firm agents split among the segments in proportion to the segments' shares
// of its firms (agents/segments.hpp); other kinds have one segment.
std::vector<std::int64_t> agents_per_group(const Scenario& s, AgentKind kind, const std::vector<std::int64_t>& per_country) {
  if (segments_of(kind) == 1) return per_country;
  std::vector<std::int64_t> groups;
  for (int c = 0; c < s.country_count(); ++c) {
    const CountrySpec& spec = s.countries[c];
    const auto shares = firm_segment_shares(spec.physical_share, spec.large_share);
    std::vector<std::int64_t> split = allocate_agents(per_country[c], std::vector<double>(shares.begin(), shares.end()), false);
    groups.insert(groups.end(), split.begin(), split.end());
  }
  return groups;
}

PopulationLayout lay_out(const Scenario& s, AgentKind kind) {
  PopulationLayout layout;
  layout.segments = segments_of(kind);
  layout.agents = agents_per_country(s, kind);
  const std::vector<double> real = real_counts(s, kind);
  for (int c = 0; c < s.country_count(); ++c) {
    const std::int64_t n = layout.agents[c];
    layout.weight.push_back(n > 0 ? real[c] / double(n) : 0.0);
    layout.per_agent.push_back(n > 0 ? 1.0 / static_cast<double>(n) : 0.0);
  }
  layout.agents_per_group = agents_per_group(s, kind, layout.agents);
  if (kind == AgentKind::developer && s.feedback.talent_growth) {
    bool grows = false;
    for (const CountrySpec& c : s.countries) grows = grows || c.developer_growth != 0;
    for (int t = 0; grows && t <= s.steps; ++t)
      for (int c = 0; c < s.country_count(); ++c) layout.growth.push_back(developer_growth_factor(s, c, t));
  }
  return layout;
}

}  // namespace

World build_world(Scenario scenario) {
  World world{std::move(scenario), {}, {}, {}};
  for (AgentKind kind : all_agent_kinds) world.populations[index_of(kind)] = lay_out(world.scenario, kind);
  world.robots = robot_path(world.scenario);
  world.calibration = calibrate(world.scenario);
  return world;
}

}  // namespace stackrace
