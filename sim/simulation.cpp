#include "sim/simulation.hpp"

#include <cmath>
#include <limits>

#include "agents/population.hpp"
#include "agents/stack_choice.hpp"
#include "policies/environment.hpp"
#include "sim/revision.hpp"
#include "worlds/agent_allocation.hpp"

namespace stackrace {
namespace {

// The mutable state of one run. Countries, firms and developers are each one
// population; counts[kind] holds [country][stack] and is kept in step with the agents.
struct RunState {
  const Scenario& scenario;
  std::array<AgentPopulation, agent_kind_count> populations;
  std::array<std::vector<std::int64_t>, agent_kind_count> counts;
  std::array<std::vector<double>, agent_kind_count> weight;  // [country]: real entities per agent

  AgentPopulation& population(AgentKind kind) { return populations[index_of(kind)]; }
  std::vector<std::int64_t>& count(AgentKind kind) { return counts[index_of(kind)]; }
};

std::vector<double> real_counts(const Scenario& s, AgentKind kind) {
  std::vector<double> real;
  for (const CountrySpec& c : s.countries) {
    real.push_back(kind == AgentKind::developer ? c.developers : kind == AgentKind::firm ? c.firms : 1.0);
  }
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

// Month t's stack state before policies: capability grows linearly, prices fall geometrically.
StackEnvironment stack_environment(const Scenario& s, int t) {
  StackEnvironment env{s.country_count(), s.stack_count(), {}, {}};
  for (const StackSpec& stack : s.stacks) env.capability.push_back(stack.capability + stack.capability_growth * t);
  env.price.resize(std::size_t(env.countries) * env.stacks);
  for (int c = 0; c < env.countries; ++c)
    for (int k = 0; k < env.stacks; ++k)
      env.price_in(c, k) = s.stacks[k].price * std::pow(1.0 - s.stacks[k].price_decline, t);
  return env;
}

std::vector<double> developer_shares(RunState& state) {
  const int K = state.scenario.stack_count();
  const AgentPopulation& developers = state.population(AgentKind::developer);
  std::vector<double> share(state.count(AgentKind::developer).size(), 0.0);
  for (int c = 0; c < developers.country_count(); ++c) {
    double n = static_cast<double>(developers.agents_in(c));
    for (int k = 0; k < K && n > 0; ++k) share[c * K + k] = state.count(AgentKind::developer)[c * K + k] / n;
  }
  return share;
}

ChoiceTable choice_table(const ChoiceWeights& w, const StackEnvironment& env, const std::vector<double>& share) {
  ChoiceTable table(env.countries, env.stacks);
  std::vector<StackView> views(env.stacks);
  for (int c = 0; c < env.countries; ++c) {
    for (int k = 0; k < env.stacks; ++k) views[k] = {env.capability[k], env.price_in(c, k), share[c * env.stacks + k]};
    for (int current = 0; current < env.stacks; ++current) {
      std::span<double> row = table.row(c, current);
      choice_probabilities(w, views, current, row);
      cumulate(row);
    }
  }
  return table;
}

ChoiceTable initial_table(const Scenario& s) {
  ChoiceTable table(s.country_count(), s.stack_count());
  for (int c = 0; c < s.country_count(); ++c) {
    std::span<double> row = table.row(c, 0);
    std::copy(s.countries[c].initial_share.begin(), s.countries[c].initial_share.end(), row.begin());
    cumulate(row);
  }
  return table;
}

void record(RunState& state, const StackEnvironment& env, int t, RunResult& out) {
  const int K = env.stacks;
  const float no_agents = std::numeric_limits<float>::quiet_NaN();
  for (AgentKind kind : all_agent_kinds) {
    const AgentPopulation& pop = state.population(kind);
    const std::vector<std::int64_t>& count = state.count(kind);
    const std::vector<double>& weight = state.weight[index_of(kind)];
    std::vector<double> weighted(K, 0.0);
    double weighted_total = 0;
    for (int c = 0; c < pop.country_count(); ++c) {
      const auto n = pop.agents_in(c);
      for (int k = 0; k < K; ++k) {
        out.share_at(t, c, kind, k) = n > 0 ? static_cast<float>(double(count[c * K + k]) / double(n)) : no_agents;
        weighted[k] += weight[c] * double(count[c * K + k]);
      }
      weighted_total += weight[c] * double(n);
    }
    for (int k = 0; k < K; ++k)
      out.global_share_at(t, kind, k) = weighted_total > 0 ? static_cast<float>(weighted[k] / weighted_total) : no_agents;
  }
  for (int k = 0; k < K; ++k) {
    out.capability[std::size_t(t) * K + k] = env.capability[k];
    out.price[std::size_t(t) * K + k] = env.price_in(0, k);
  }
}

StreamKey stream_key(const Scenario& s, const RunConfig& config, int step, AgentKind kind, StreamPurpose purpose) {
  return {s.seed, static_cast<std::uint64_t>(config.run), step, kind, purpose, 0};
}

RunState seat_agents(const Scenario& s, const RunConfig& config, RunResult& out) {
  RunState state{s, {}, {}, {}};
  const ChoiceTable initial = initial_table(s);
  for (AgentKind kind : all_agent_kinds) {
    std::vector<std::int64_t> agents = agents_per_country(s, kind);
    std::vector<double> real = real_counts(s, kind);
    std::vector<double>& weight = state.weight[index_of(kind)];
    for (int c = 0; c < s.country_count(); ++c) {
      weight.push_back(agents[c] > 0 ? real[c] / double(agents[c]) : 0.0);
      out.agents[std::size_t(c) * agent_kind_count + index_of(kind)] = agents[c];
      out.weight[std::size_t(c) * agent_kind_count + index_of(kind)] = weight.back();
    }
    state.populations[index_of(kind)] = make_population(kind, agents);
    state.counts[index_of(kind)] =
        seat_population(state.population(kind), initial, stream_key(s, config, 0, kind, StreamPurpose::initial));
  }
  return state;
}

// One month, in the order of DESIGN.md: policies -> stack dynamics -> countries ->
// firms -> developers -> aggregation. Every kind decides on last month's aggregates,
// so all three choice tables are built before any agent moves.
void step(RunState& state, const RunConfig& config, int t, RunResult& out) {
  const Scenario& s = state.scenario;
  const StackEnvironment env = stack_environment(s, t);  // policies will edit env here (issue 5)
  const std::vector<double> share = developer_shares(state);
  std::array<ChoiceTable, agent_kind_count> tables{
      choice_table(s.weights(AgentKind::country), env, share), choice_table(s.weights(AgentKind::firm), env, share),
      choice_table(s.weights(AgentKind::developer), env, share)};
  for (AgentKind kind : all_agent_kinds) {
    revise_population(state.population(kind), tables[index_of(kind)], s.weights(kind).revise,
                      stream_key(s, config, t, kind, StreamPurpose::revise), state.count(kind));
  }
  record(state, env, t, out);
}

}  // namespace

RunResult simulate(const Scenario& s, const RunConfig& config) {
  RunResult out(s.steps + 1, s.country_count(), s.stack_count());
  out.seed = s.seed;
  RunState state = seat_agents(s, config, out);
  record(state, stack_environment(s, 0), 0, out);
  for (int t = 1; t <= s.steps; ++t) {
    if (config.stop && config.stop->load(std::memory_order_relaxed)) throw RunInterrupted();
    step(state, config, t, out);
    if (config.on_step) config.on_step(t, s.steps);
  }
  return out;
}

}  // namespace stackrace
