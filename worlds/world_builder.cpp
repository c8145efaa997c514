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
// of its staff (agents/segments.hpp): stratified by employment, so that large firms, few
// but employing a third of the staff, have agents of their own, and a developer's employer
// drawn uniformly among the firm agents is drawn in proportion to employment (MODEL.md,
// 5.2). Other kinds have one segment.
std::vector<std::int64_t> agents_per_group(const Scenario& s, AgentKind kind, const std::vector<std::int64_t>& per_country) {
  if (segments_of(kind) == 1) return per_country;
  std::vector<std::int64_t> groups;
  for (int c = 0; c < s.country_count(); ++c) {
    const CountrySpec& spec = s.countries[c];
    const auto shares = firm_segment_shares(spec.physical_share, spec.staff_share);
    std::vector<std::int64_t> split = allocate_agents(per_country[c], std::vector<double>(shares.begin(), shares.end()), false);
    groups.insert(groups.end(), split.begin(), split.end());
  }
  return groups;
}

// How many of the country's average agents one firm agent of each segment stands for (the
// segment's share of the country's firms over its share of the agents, so that weighted
// counts give the firms exactly), and how many times the staff of the average firm it
// represents a firm of its segment employs. Segments without agents leave their firms and
// staff to the others in proportion (a country with few agents). Both empty for other
// kinds (all 1).
void weigh_firm_groups(const Scenario& s, PopulationLayout& layout) {
  if (layout.segments == 1) return;
  layout.relative_weight.assign(layout.agents_per_group.size(), 0.0);
  layout.staff_per_firm.assign(layout.agents_per_group.size(), 0.0);
  for (int c = 0; c < s.country_count(); ++c) {
    const CountrySpec& country = s.countries[c];
    const auto firms = firm_segment_shares(country.physical_share, country.firm_size_share);
    const auto staff = firm_segment_shares(country.physical_share, country.staff_share);
    const std::size_t first = std::size_t(c) * layout.segments;
    double covered_firms = 0, covered_staff = 0;
    for (int segment = 0; segment < layout.segments; ++segment)
      if (layout.agents_per_group[first + segment] > 0) covered_firms += firms[segment], covered_staff += staff[segment];
    for (int segment = 0; segment < layout.segments; ++segment) {
      const std::int64_t agents = layout.agents_per_group[first + segment];
      if (agents == 0 || !(covered_firms > 0) || !(firms[segment] > 0)) continue;
      layout.relative_weight[first + segment] = firms[segment] / covered_firms * double(layout.agents[c]) / double(agents);
      layout.staff_per_firm[first + segment] = staff[segment] / firms[segment] * covered_firms / covered_staff;
    }
  }
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
  weigh_firm_groups(s, layout);
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
  world.ties = tie_countries(world.scenario.countries);
  world.calibration = calibrate(world.scenario);
  return world;
}

}  // namespace stackrace
