#include "sim/simulation.hpp"

#include <cmath>
#include <limits>

#include <boost/random/uniform_01.hpp>

#include "agents/bundle_choice.hpp"
#include "agents/regime_choice.hpp"
#include "agents/population.hpp"
#include "sim/choice_tables.hpp"
#include "sim/revision.hpp"
#include "model/stack_dynamics.hpp"
#include "worlds/agent_allocation.hpp"

namespace stackrace {
namespace {

// The mutable state of one run. Countries, firms and developers are each one
// population; counts[kind] holds [group][stack] and is kept in step with the agents.
struct RunState {
  const Scenario& scenario;
  std::array<AgentPopulation, agent_kind_count> populations;
  std::array<std::vector<std::int64_t>, agent_kind_count> counts;
  std::array<std::vector<double>, agent_kind_count> weight;  // [country]: real entities per agent
  // [kind][country]: 1 / the agents there (0 where none). Agent counts are fixed for the
  // run, and a division per country and kind was a visible part of each month's view.
  std::array<std::vector<double>, agent_kind_count> per_agent;
  StackState stacks;
  Calibration calibration;
  PolicyState policies;
  std::vector<std::uint8_t> government_bans;  // [country][stack]: barred from government use by the government itself
  std::uint64_t employer_salt = 0;
  // What each month builds afresh, kept between months so that a small run does not
  // spend its time allocating them again (a 10,000-agent run is 120 short months).
  MonthView view;
  std::array<ChoiceTable, agent_kind_count> tables;
  std::vector<StackIndex> last_month_firms;

  AgentPopulation& population(AgentKind kind) { return populations[index_of(kind)]; }
  const AgentPopulation& population(AgentKind kind) const { return populations[index_of(kind)]; }
  std::vector<std::int64_t>& count(AgentKind kind) { return counts[index_of(kind)]; }
  const std::vector<std::int64_t>& count(AgentKind kind) const { return counts[index_of(kind)]; }
  // Agents of `kind` on each stack of each country, [c][k], summed over the country's
  // segments (as of the last sum_segments()). Loops over countries take it once: the
  // monthly views and records read it for every country, kind and stack.
  const std::int64_t* by_country(AgentKind kind) const {
    return (population(kind).segments == 1 ? count(kind) : segment_sums[index_of(kind)]).data();
  }
  // Sums the counts of kinds split into segments per country: once a month, after
  // the agents moved, rather than in each of the many reads of by_country().
  void sum_segments() {
    const int K = scenario.stack_count();
    for (AgentKind kind : all_agent_kinds) {
      const int S = population(kind).segments;
      std::vector<std::int64_t>& sums = segment_sums[index_of(kind)];
      // One segment: the counts are the sums. No agents: the sums stay zero.
      if (S == 1 || (population(kind).size() == 0 && !sums.empty())) continue;
      sums.resize(std::size_t(scenario.country_count()) * K);
      const std::int64_t* group = count(kind).data();  // [c][segment][k]
      const int C = scenario.country_count();
      for (int c = 0; c < C; ++c, group += std::ptrdiff_t(S) * K)
        for (int k = 0; k < K; ++k) {
          std::int64_t n = 0;  // summed in a register, not through the vector
          for (int g = 0; g < S; ++g) n += group[g * K + k];
          sums[std::size_t(c) * K + k] = n;
        }
    }
  }
  std::array<std::vector<std::int64_t>, agent_kind_count> segment_sums;  // [kind][c][k], kinds with segments
};

int segments_of(AgentKind kind) { return kind == AgentKind::firm ? firm_segments : 1; }

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

// A country's firm agents split into sector x size segments in proportion to its
// shares of physical-industry and large firms.
std::vector<std::int64_t> agents_per_group(const Scenario& s, AgentKind kind, const std::vector<std::int64_t>& per_country) {
  if (kind != AgentKind::firm) return per_country;
  std::vector<std::int64_t> groups;
  for (int c = 0; c < s.country_count(); ++c) {
    const CountrySpec& spec = s.countries[c];
    const double phys = spec.physical_share, large = spec.large_share;
    std::vector<std::int64_t> split = allocate_agents(
        per_country[c], {(1 - phys) * (1 - large), (1 - phys) * large, phys * (1 - large), phys * large}, false);
    groups.insert(groups.end(), split.begin(), split.end());
  }
  return groups;
}

StreamKey stream_key(const Scenario& s, const RunConfig& config, int step, AgentKind kind, StreamPurpose purpose) {
  return {s.seed, static_cast<std::uint64_t>(config.run), step, kind, purpose, 0};
}

// The stacks as every country sees them before policies: one price everywhere, each
// country's own data-localisation regime. `env` is overwritten in place.
void set_environment(const Scenario& s, const StackState& stacks, StackEnvironment& env) {
  env.reset(s.country_count(), s.stack_count());
  env.capability = stacks.capability;
  for (int c = 0; c < env.countries; ++c) {
    env.localisation[c] = s.countries[c].data_localisation;
    for (int k = 0; k < env.stacks; ++k) env.price_in(c, k) = stacks.price[k];
  }
}

// Self-hosted (open-weight) use beyond the country's data-centre power costs utility.
double capacity_penalty(const Scenario& s, int c, int t, double open_users) {
  const CountrySpec& spec = s.countries[c];
  if (!s.feedback.capacity_limits || spec.datacenter_mw <= 0) return 0.0;
  const double capacity = spec.datacenter_mw * std::pow(1.0 + spec.electricity_growth, t / 12.0);
  const double demand = open_users / 1e6 * s.compute.mw_per_million_users;
  return s.compute.capacity_penalty * std::max(0.0, demand / capacity - 1.0);
}

// The share of the world's developers (weighted by the real developers each agent
// stands for) on each stack now.
std::vector<double> global_developer_share(const RunState& state) {
  const Scenario& s = state.scenario;
  const int K = s.stack_count();
  std::vector<double> share(K, 0.0);
  double world = 0;
  const std::int64_t* const on = state.by_country(AgentKind::developer);
  const int C = s.country_count();
  for (int c = 0; c < C; ++c) {
    const double weight = state.weight[index_of(AgentKind::developer)][c];
    for (int k = 0; k < K; ++k) share[k] += weight * double(on[std::size_t(c) * K + k]);
    world += weight * double(state.population(AgentKind::developer).agents_in(c));
  }
  for (double& x : share) x = world > 0 ? x / world : 0.0;
  return share;
}

// What agents see this month, from the state at the end of last month, into `view`
// (overwritten in place).
void see_month(const RunState& state, int t, MonthView& view) {
  const Scenario& s = state.scenario;
  const int K = s.stack_count(), C = s.country_count();
  const auto outside = s.outside_stack();
  set_environment(s, state.stacks, view.env);
  view.developer_share.assign(std::size_t(C) * K, 0.0);
  view.global_developer_share.assign(K, 0.0);
  view.government_stack.assign(C, -1);
  view.capacity_penalty.assign(C, 0.0);
  double world = 0;
  for (AgentKind kind : all_agent_kinds) {
    view.adopted[index_of(kind)].assign(C, 0.0);
    view.kind_share[index_of(kind)].assign(std::size_t(C) * K, 0.0);
  }
  // Shares multiply by each count's reciprocal, taken once per run (these views are
  // rebuilt every month).
  std::array<const std::int64_t*, agent_kind_count> counts{};
  for (AgentKind kind : all_agent_kinds) counts[index_of(kind)] = state.by_country(kind);
  const std::int64_t* const developers_on = counts[index_of(AgentKind::developer)];
  const std::int64_t* const firms_on = counts[index_of(AgentKind::firm)];
  const std::int64_t* const governments_on = counts[index_of(AgentKind::country)];
  for (int c = 0; c < C; ++c) {
    const std::size_t cell = std::size_t(c) * K;  // country c's [stack] entries
    for (AgentKind kind : all_agent_kinds) {
      const double per_agent = state.per_agent[index_of(kind)][c];
      if (per_agent == 0) continue;  // no agents: adopted and shares stay 0
      const std::int64_t* const on = counts[index_of(kind)] + cell;
      const double waiting = outside ? static_cast<double>(on[*outside]) : 0.0;
      view.adopted[index_of(kind)][c] = 1.0 - waiting * per_agent;
      double* const share = view.kind_share[index_of(kind)].data() + cell;
      for (int k = 0; k < K; ++k) share[k] = double(on[k]) * per_agent;
    }
    const double developers = static_cast<double>(state.population(AgentKind::developer).agents_in(c));
    const double weight = state.weight[index_of(AgentKind::developer)][c];
    const double per_developer = state.per_agent[index_of(AgentKind::developer)][c];
    double open_users = 0;
    for (int k = 0; k < K; ++k) {
      const double on = static_cast<double>(developers_on[cell + k]);
      view.developer_share[cell + k] = on * per_developer;
      view.global_developer_share[k] += weight * on;
      if (s.stacks[k].open_weights) {
        open_users += weight * on;
        open_users += state.weight[index_of(AgentKind::firm)][c] * double(firms_on[cell + k]);
      }
      if (governments_on[cell + k] > 0 && !(outside && k == *outside)) view.government_stack[c] = k;
    }
    world += weight * developers;
    view.capacity_penalty[c] = capacity_penalty(s, c, t, open_users);
  }
  for (double& x : view.global_developer_share) x = world > 0 ? x / world : 0.0;
}

// The start as the scenario describes it, not as drawn: starting shares and the
// reference capabilities and prices. Calibration fits against this, so that it does
// not depend on the seed.
MonthView expected_start(const Scenario& s) {
  const int K = s.stack_count(), C = s.country_count();
  MonthView view;
  StackState reference = initial_stack_state(s);
  for (int k = 0; k < K; ++k) {
    reference.capability[k] = s.stacks[k].reference_capability;
    reference.price[k] = s.stacks[k].reference_price;
  }
  set_environment(s, reference, view.env);
  view.global_developer_share.assign(K, 0.0);
  double world = 0;
  for (int c = 0; c < C; ++c) {
    const std::vector<double>& share = s.countries[c].initial_share[index_of(AgentKind::developer)];
    view.developer_share.insert(view.developer_share.end(), share.begin(), share.end());
    for (int k = 0; k < K; ++k) view.global_developer_share[k] += s.countries[c].developers * share[k];
    world += s.countries[c].developers;
  }
  for (double& x : view.global_developer_share) x /= world;
  view.government_stack.assign(C, -1);
  return view;
}

ChoiceTable initial_table(const Scenario& s, AgentKind kind, int segments) {
  ChoiceTable table(s.country_count() * segments, s.stack_count());
  for (int g = 0; g < table.groups; ++g) {
    const std::vector<double>& share = s.countries[g / segments].initial_share[index_of(kind)];
    std::span<double> row = table.row(g, 0);
    std::copy(share.begin(), share.end(), row.begin());
    cumulate(row);
  }
  return table;
}

RunState seat_agents(const Scenario& s, const RunConfig& config, RunResult& out) {
  RunState state{s, {}, {}, {}, {}, initial_stack_state(s), {}, {}, {}, 0, {}, {}, {}, {}};
  state.government_bans.assign(std::size_t(s.country_count()) * s.stack_count(), 0);
  state.policies.accepted_at.assign(s.policies.size(), std::vector<int>(s.countries.size(), -1));
  state.employer_salt = mix64(mix64(s.seed) ^ static_cast<std::uint64_t>(config.run) ^ 0xe3b0c44298fc1c14ull);
  for (AgentKind kind : all_agent_kinds) {
    const std::vector<std::int64_t> agents = agents_per_country(s, kind);
    const std::vector<double> real = real_counts(s, kind);
    std::vector<double>& weight = state.weight[index_of(kind)];
    for (int c = 0; c < s.country_count(); ++c) {
      weight.push_back(agents[c] > 0 ? real[c] / double(agents[c]) : 0.0);
      out.agents[std::size_t(c) * agent_kind_count + index_of(kind)] = agents[c];
      out.weight[std::size_t(c) * agent_kind_count + index_of(kind)] = weight.back();
    }
    for (std::int64_t n : agents) state.per_agent[index_of(kind)].push_back(n > 0 ? 1.0 / static_cast<double>(n) : 0.0);
    const int segments = segments_of(kind);
    state.populations[index_of(kind)] = make_population(kind, segments, agents_per_group(s, kind, agents));
    state.counts[index_of(kind)] = seat_population(state.population(kind), initial_table(s, kind, segments),
                                                   stream_key(s, config, 0, kind, StreamPurpose::initial));
  }
  state.sum_segments();
  state.calibration = calibrate(s, expected_start(s));
  return state;
}

void record(const RunState& state, int t, RunResult& out) {
  const Scenario& s = state.scenario;
  const int K = s.stack_count();
  const float no_agents = std::numeric_limits<float>::quiet_NaN();
  thread_local std::vector<double> weighted;  // kept between months (record runs no other tasks)
  weighted.resize(K);
  for (AgentKind kind : all_agent_kinds) {
    const AgentPopulation& pop = state.population(kind);
    const std::vector<double>& weight = state.weight[index_of(kind)];
    std::fill(weighted.begin(), weighted.end(), 0.0);
    double weighted_total = 0;
    // share [kind][t][c][k]: country c's row for this kind is K floats at c * K.
    float* const share = &out.share_at(t, 0, kind, 0);
    const std::int64_t* const counts = state.by_country(kind);
    const int C = pop.country_count();
    for (int c = 0; c < C; ++c) {
      const auto n = pop.agents_in(c);
      float* const row = share + std::size_t(c) * K;
      for (int k = 0; k < K; ++k) {
        const auto on = counts[std::size_t(c) * K + k];
        row[k] = n > 0 ? static_cast<float>(double(on) / double(n)) : no_agents;
        weighted[k] += weight[c] * double(on);
      }
      weighted_total += weight[c] * double(n);
    }
    for (int k = 0; k < K; ++k)
      out.global_share_at(t, kind, k) = weighted_total > 0 ? static_cast<float>(weighted[k] / weighted_total) : no_agents;
  }
  for (int k = 0; k < K; ++k) {
    out.capability[std::size_t(t) * K + k] = state.stacks.capability[k];
    out.price[std::size_t(t) * K + k] = state.stacks.price[k];
  }
}

// Governments decide on infrastructure bundles offered this month (agents/bundle_choice.hpp),
// each with its own draw, so that a bundle never shifts any other random number.
void decide_bundles(RunState& state, const RunConfig& config, int t, const MonthView& view) {
  const Scenario& s = state.scenario;
  const int C = s.country_count();
  boost::random::uniform_01<double> uniform;
  for (std::size_t i = 0; i < s.policies.size(); ++i) {
    const auto* bundle = std::get_if<InfrastructureBundle>(&s.policies[i]);
    if (!bundle || bundle->offer_month() != t || !bundle->window.covers(t)) continue;
    for (int c = 0; c < C; ++c) {
      if (!bundle->targets.includes(c)) continue;
      StreamKey key = stream_key(s, config, t, AgentKind::country, StreamPurpose::bundle);
      key.index = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(C) + static_cast<std::uint64_t>(c);
      CounterStream stream(key);
      const double p = bundle_acceptance(bundle->accept_base, bundle->accept_alignment, bundle->accept_government,
                                         s.countries[c].alignment, bundle->offered_by,
                                         view.government_stack[c] == bundle->stack);
      if (uniform(stream) < p) state.policies.accepted_at[i][c] = t;
    }
  }
}

// Governments aligned against a stack's bloc may bar it from government use
// (agents/regime_choice.hpp); one draw per country and stack from its own stream.
void decide_regimes(RunState& state, const RunConfig& config, int t, const MonthView& view, StackEnvironment& env,
                    RunResult& out) {
  const Scenario& s = state.scenario;
  const double rate = s.kind_weights(AgentKind::country).rival_ban_rate;
  const int K = s.stack_count(), C = s.country_count();
  boost::random::uniform_01<double> uniform;
  for (int c = 0; c < C && rate > 0; ++c) {
    for (int k = 0; k < K; ++k) {
      std::uint8_t& barred = state.government_bans[std::size_t(c) * K + k];
      if (!barred && !s.stacks[k].outside) {
        const double p = rival_ban_probability(rate, s.countries[c].alignment, s.stacks[k].bloc,
                                               view.developer_share[std::size_t(c) * K + k]);
        if (p > 0) {
          StreamKey key = stream_key(s, config, t, AgentKind::country, StreamPurpose::regime);
          key.index = std::uint64_t(c) * std::uint64_t(K) + std::uint64_t(k);
          CounterStream stream(key);
          barred = uniform(stream) < p;
          if (barred) out.government_ban_month[std::size_t(c) * K + k] = t;
        }
      }
      if (barred) env.banned[index_of(AgentKind::country)][env.cell(c, k)] = 1;
    }
  }
}

// One month, in the order of DESIGN.md: policies -> stack dynamics -> countries (their
// bundle and regime decisions, then their stacks) ->
// firms -> developers -> aggregation. Every kind decides on last month's aggregates
// (and developers on their employers' stacks of last month), so all tables are built,
// and the firms' stacks copied, before any agent moves.
void step(RunState& state, const RunConfig& config, int t, RunResult& out) {
  const Scenario& s = state.scenario;
  const PolicyContext context{s.stacks, s.countries, t};
  const std::vector<double> usage = global_developer_share(state);
  advance_stacks(s, usage, drive_stacks(s.policies, context), state.stacks);
  MonthView& view = state.view;
  see_month(state, t, view);
  decide_bundles(state, config, t, view);
  edit_environment(s.policies, state.policies, context, view.env);
  decide_regimes(state, config, t, view, view.env, out);
  for (AgentKind kind : all_agent_kinds)
    fill_choice_table(s, kind, state.population(kind), view, state.calibration, state.tables[index_of(kind)]);
  state.last_month_firms = state.population(AgentKind::firm).stack;
  EmployerLink employer{state.last_month_firms.data(), &state.population(AgentKind::firm), state.employer_salt, 1};
  for (AgentKind kind : all_agent_kinds) {
    const bool employed = kind == AgentKind::developer && state.tables[index_of(kind)].employers > 1;
    revise_population(state.population(kind), state.tables[index_of(kind)],
                      stream_key(s, config, t, kind, StreamPurpose::revise), state.count(kind),
                      employed ? &employer : nullptr);
  }
  state.sum_segments();
  record(state, t, out);
}

}  // namespace

RunResult simulate(const Scenario& s, const RunConfig& config) {
  RunResult out(s.steps + 1, s.country_count(), s.stack_count());
  out.seed = s.seed;
  RunState state = seat_agents(s, config, out);
  record(state, 0, out);
  for (int t = 1; t <= s.steps; ++t) {
    if (config.stop && config.stop->load(std::memory_order_relaxed)) throw RunInterrupted();
    step(state, config, t, out);
    if (config.on_step) config.on_step(t, s.steps);
  }
  return out;
}

}  // namespace stackrace
