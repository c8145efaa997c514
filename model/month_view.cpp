#include "model/month_view.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "model/capacity.hpp"
#include "model/robots.hpp"

namespace stackrace {
namespace {

// Country c's self-hosted load in month t over the power AI may draw there: the tokens its
// developers, firms and government use on open-weight stacks (at last month's counts and
// this month's prices, before policies edit them), firms segment by segment as
// record_usage counts them (`firm_groups`: the firms' counts [c][segment][k]). NaN where
// nothing limits it.
double self_hosted_load(const World& world, const CountryCounts& counts, const std::int64_t* firm_groups,
                        const StackEnvironment& env, int c, int t, double extra_mw) {
  const Scenario& s = world.scenario;
  const double power = ai_power(s, c, t, extra_mw);
  if (power <= 0 || s.compute.joules_per_token <= 0) return std::numeric_limits<double>::quiet_NaN();
  const int K = s.stack_count();
  const std::size_t cell = std::size_t(c) * K;
  const int counted = std::max(t - 1, 0);  // the month of the counts, for the weights
  const PopulationLayout& firms = world.population(AgentKind::firm);
  const int S = firms.segments;
  std::array<double, firm_segments> segment_use{};  // a firm agent's use in each segment, over its kind's average agent
  for (int segment = 0; segment < S; ++segment) segment_use[segment] = firms.usage_of(s.usage, std::size_t(c) * S + segment);
  double tokens = 0;
  for (int k = 0; k < K; ++k) {
    if (!s.stacks[k].open_weights || s.stacks[k].outside) continue;
    double use = 0;  // at the reference price
    for (AgentKind kind : all_agent_kinds) {
      double agents = 0;
      if (kind != AgentKind::firm) agents = counts[index_of(kind)][cell + k];
      else
        for (int segment = 0; segment < S; ++segment)
          agents += segment_use[segment] * double(firm_groups[(std::size_t(c) * S + segment) * K + k]);
      if (agents > 0) use += world.population(kind).weight_at(c, counted) * agents * use_at_reference_price(s.usage, kind, t);
    }
    if (use > 0) tokens += use * price_factor(s.usage, env.price[cell + k]);
  }
  return token_load_mw(s.compute, tokens, t) / power;
}

// What physical firms see of each stack's robots in month t (model/robots.hpp), into
// view.robot_pull (left empty when the world runs no robots).
void see_robots(const Scenario& s, const RobotPath& robots, int t, MonthView& view) {
  const int K = s.stack_count(), C = s.country_count();
  view.robot_pull.clear();
  if (robots.empty()) return;
  view.robot_pull.resize(std::size_t(C) * K);
  for (int c = 0; c < C; ++c)
    for (int k = 0; k < K; ++k) view.robot_pull[std::size_t(c) * K + k] = robot_pull(s, robots, t, c, k);
}

}  // namespace

std::vector<double> start_power_load(const World& world, const CountryCounts& counts, const std::int64_t* firm_groups,
                                     const StackEnvironment& env, const ComputeAccess& compute) {
  std::vector<double> load(world.country_count());
  for (int c = 0; c < world.country_count(); ++c)
    load[c] = self_hosted_load(world, counts, firm_groups, env, c, 0, compute.extra_datacenter_mw[c]);
  return load;
}

void set_environment(const Scenario& s, const StackState& stacks, int t, StackEnvironment& env) {
  env.reset(s.country_count(), s.stack_count());
  apply_availability(s.availability, t, env);
  env.capability = stacks.capability;
  for (int c = 0; c < env.countries; ++c) {
    env.localisation[c] = s.countries[c].data_localisation;
    for (int k = 0; k < env.stacks; ++k) env.price_in(c, k) = stacks.price[k];
  }
}

std::vector<double> global_developer_share(const World& world, const CountryCounts& counts, int month) {
  const int K = world.stack_count(), C = world.country_count();
  const PopulationLayout& developers = world.population(AgentKind::developer);
  const double* const on = counts[index_of(AgentKind::developer)];
  std::vector<double> share(K, 0.0);
  double all = 0;
  for (int c = 0; c < C; ++c) {
    const double weight = developers.weight_at(c, month);
    for (int k = 0; k < K; ++k) share[k] += weight * on[std::size_t(c) * K + k];
    all += weight * double(developers.agents[c]);
  }
  for (double& x : share) x = all > 0 ? x / all : 0.0;
  return share;
}

void see_month(const World& world, const StackState& stacks, const CountryCounts& counts,
               const std::int64_t* firm_groups, const std::vector<double>& world_developer_share,
               const ComputeAccess& compute, int t, MonthView& view) {
  const Scenario& s = world.scenario;
  const int K = s.stack_count(), C = s.country_count();
  const auto outside = s.outside_stack();
  set_environment(s, stacks, t, view.env);
  price_compute(s, compute, view.env);
  view.developer_share.assign(std::size_t(C) * K, 0.0);
  view.global_developer_share = world_developer_share;
  view.tie_developer_share.clear();
  view.government_stack.assign(C, -1);
  view.capacity_penalty.assign(C, 0.0);
  view.power_load.assign(C, std::numeric_limits<double>::quiet_NaN());
  see_robots(s, world.robots, t, view);
  for (AgentKind kind : all_agent_kinds) {
    view.adopted[index_of(kind)].assign(C, 0.0);
    view.kind_share[index_of(kind)].assign(std::size_t(C) * K, 0.0);
  }
  const PopulationLayout& developers = world.population(AgentKind::developer);
  const double* const developers_on = counts[index_of(AgentKind::developer)];
  const double* const governments_on = counts[index_of(AgentKind::country)];
  for (int c = 0; c < C; ++c) {
    const std::size_t cell = std::size_t(c) * K;  // country c's [stack] entries
    for (AgentKind kind : all_agent_kinds) {
      const double per_agent = world.population(kind).per_agent[c];
      if (per_agent == 0) continue;  // no agents: adopted and shares stay 0
      const double* const on = counts[index_of(kind)] + cell;
      const double waiting = outside ? on[*outside] : 0.0;
      view.adopted[index_of(kind)][c] = 1.0 - waiting * per_agent;
      double* const share = view.kind_share[index_of(kind)].data() + cell;
      for (int k = 0; k < K; ++k) share[k] = on[k] * per_agent;
    }
    for (int k = 0; k < K; ++k) {
      view.developer_share[cell + k] = developers_on[cell + k] * developers.per_agent[c];
      if (governments_on[cell + k] > 0 && !(outside && k == *outside)) view.government_stack[c] = k;
    }
    const double load = self_hosted_load(world, counts, firm_groups, view.env, c, t, compute.extra_datacenter_mw[c]);
    view.power_load[c] = load;
    if (!std::isnan(load)) view.capacity_penalty[c] = capacity_penalty(s, load);
  }
  if (!world.ties.empty())
    share_through_ties(world.ties, view.developer_share, view.global_developer_share, K, view.tie_developer_share);
}

MonthView expected_start(const Scenario& s) {
  const int K = s.stack_count(), C = s.country_count();
  MonthView view;
  StackState reference = initial_stack_state(s);
  for (int k = 0; k < K; ++k) {
    reference.capability[k] = s.stacks[k].reference_capability;
    reference.price[k] = s.stacks[k].reference_price;
  }
  set_environment(s, reference, first_month, view.env);
  view.global_developer_share.assign(K, 0.0);
  double all = 0;
  for (int c = 0; c < C; ++c) {
    const std::vector<double>& share = s.countries[c].initial_share[index_of(AgentKind::developer)];
    view.developer_share.insert(view.developer_share.end(), share.begin(), share.end());
    for (int k = 0; k < K; ++k) view.global_developer_share[k] += s.countries[c].developers * share[k];
    all += s.countries[c].developers;
  }
  for (double& x : view.global_developer_share) x /= all;
  const CountryTies ties = tie_countries(s.countries);
  if (!ties.empty())
    share_through_ties(ties, view.developer_share, view.global_developer_share, K, view.tie_developer_share);
  view.government_stack.assign(C, -1);
  return view;
}

}  // namespace stackrace
