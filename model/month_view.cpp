#include "model/month_view.hpp"

#include <algorithm>

#include "model/capacity.hpp"

namespace stackrace {

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
  const std::int64_t* const on = counts[index_of(AgentKind::developer)];
  std::vector<double> share(K, 0.0);
  double all = 0;
  for (int c = 0; c < C; ++c) {
    const double weight = developers.weight_at(c, month);
    for (int k = 0; k < K; ++k) share[k] += weight * double(on[std::size_t(c) * K + k]);
    all += weight * double(developers.agents[c]);
  }
  for (double& x : share) x = all > 0 ? x / all : 0.0;
  return share;
}

void see_month(const World& world, const StackState& stacks, const CountryCounts& counts,
               const std::vector<double>& world_developer_share, const ComputeAccess& compute, int t,
               MonthView& view) {
  const Scenario& s = world.scenario;
  const int K = s.stack_count(), C = s.country_count();
  const auto outside = s.outside_stack();
  set_environment(s, stacks, t, view.env);
  price_compute(s, compute, view.env);
  view.developer_share.assign(std::size_t(C) * K, 0.0);
  view.global_developer_share = world_developer_share;
  view.government_stack.assign(C, -1);
  view.capacity_penalty.assign(C, 0.0);
  for (AgentKind kind : all_agent_kinds) {
    view.adopted[index_of(kind)].assign(C, 0.0);
    view.kind_share[index_of(kind)].assign(std::size_t(C) * K, 0.0);
  }
  const PopulationLayout& developers = world.population(AgentKind::developer);
  const PopulationLayout& firms = world.population(AgentKind::firm);
  const std::int64_t* const developers_on = counts[index_of(AgentKind::developer)];
  const std::int64_t* const firms_on = counts[index_of(AgentKind::firm)];
  const std::int64_t* const governments_on = counts[index_of(AgentKind::country)];
  for (int c = 0; c < C; ++c) {
    const std::size_t cell = std::size_t(c) * K;  // country c's [stack] entries
    for (AgentKind kind : all_agent_kinds) {
      const double per_agent = world.population(kind).per_agent[c];
      if (per_agent == 0) continue;  // no agents: adopted and shares stay 0
      const std::int64_t* const on = counts[index_of(kind)] + cell;
      const double waiting = outside ? static_cast<double>(on[*outside]) : 0.0;
      view.adopted[index_of(kind)][c] = 1.0 - waiting * per_agent;
      double* const share = view.kind_share[index_of(kind)].data() + cell;
      for (int k = 0; k < K; ++k) share[k] = double(on[k]) * per_agent;
    }
    const double weight = developers.weight_at(c, std::max(t - 1, 0));  // the counts' month
    double open_users = 0;  // real developers and firms on open-weight stacks
    for (int k = 0; k < K; ++k) {
      const double on = static_cast<double>(developers_on[cell + k]);
      view.developer_share[cell + k] = on * developers.per_agent[c];
      if (s.stacks[k].open_weights) {
        open_users += weight * on;
        open_users += firms.weight[c] * double(firms_on[cell + k]);
      }
      if (governments_on[cell + k] > 0 && !(outside && k == *outside)) view.government_stack[c] = k;
    }
    view.capacity_penalty[c] = capacity_penalty(s, c, t, open_users, compute.extra_datacenter_mw[c]);
  }
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
  view.government_stack.assign(C, -1);
  return view;
}

}  // namespace stackrace
