#include "sim/simulation.hpp"

#include <algorithm>
#include <limits>

#include <boost/random/uniform_01.hpp>

#include "agents/population.hpp"
#include "agents/usage.hpp"
#include "model/month_view.hpp"
#include "model/regime.hpp"
#include "model/stack_dynamics.hpp"
#include "sim/choice_tables.hpp"
#include "sim/revision.hpp"
#include "sim/rng.hpp"

namespace stackrace {
namespace {

// The mutable state of one run. Countries, firms and developers are each one
// population; counts[kind] holds [group][stack] and is kept in step with the agents.
struct RunState {
  const World& world;
  const RunConfig& config;
  std::array<AgentPopulation, agent_kind_count> populations;
  std::array<std::vector<std::int64_t>, agent_kind_count> counts;
  // [kind][c][k]: each country's agents on each stack, summed over its segments, each
  // agent counted as the number of the country's average agents it stands for
  // (PopulationLayout::relative_weight): what shares of the country are made of.
  std::array<std::vector<double>, agent_kind_count> country_sums;
  StackState stacks;
  PolicyState policies;
  std::vector<std::uint8_t> government_bans;  // [country][stack]: barred from government use by the government itself
  std::uint64_t employer_salt = 0;
  // What each month builds afresh, kept between months so that a small run does not
  // spend its time allocating them again (a 10,000-agent run is 120 short months).
  MonthView view;
  std::array<ChoiceTable, agent_kind_count> tables;
  std::vector<StackIndex> last_month_firms;

  AgentPopulation& population(AgentKind kind) { return populations[index_of(kind)]; }
  std::vector<std::int64_t>& count(AgentKind kind) { return counts[index_of(kind)]; }
  // Agents of `kind` on each stack of each country, [c][k], weighted and summed over the
  // country's segments (as of the last sum_segments()).
  const double* by_country(AgentKind kind) const { return country_sums[index_of(kind)].data(); }
  CountryCounts country_counts() const {
    CountryCounts on{};
    for (AgentKind kind : all_agent_kinds) on[index_of(kind)] = by_country(kind);
    return on;
  }
  // Sums each country's counts over its segments, weighted: once a month, after the
  // agents moved, rather than in each of the many reads of by_country().
  void sum_segments() {
    const int K = world.stack_count(), C = world.country_count();
    for (AgentKind kind : all_agent_kinds) {
      const PopulationLayout& layout = world.population(kind);
      const int S = layout.segments;
      std::vector<double>& sums = country_sums[index_of(kind)];
      sums.assign(std::size_t(C) * K, 0.0);
      const std::int64_t* group = counts[index_of(kind)].data();  // [c][segment][k]
      for (std::size_t g = 0; g < std::size_t(C) * S; ++g, group += K) {
        const double relative = layout.relative_weight_of(g);
        double* const sum = sums.data() + g / S * K;
        for (int k = 0; k < K; ++k) sum[k] += relative * double(group[k]);
      }
    }
  }
};

StreamKey stream_key(const RunConfig& config, int step, AgentKind kind, StreamPurpose purpose) {
  return {config.seed, static_cast<std::uint64_t>(config.run), step, kind, purpose, 0};
}

// A uniform draw from the stream (purpose, month, index): decisions of governments take
// one each, so that none shifts any other random number.
double uniform_draw(const RunConfig& config, int step, StreamPurpose purpose, std::uint64_t index) {
  StreamKey key = stream_key(config, step, AgentKind::country, purpose);
  key.index = index;
  CounterStream stream(key);
  return boost::random::uniform_01<double>()(stream);
}

// A group's starting shares: its country's, with a firm size class's adoption its
// country's times the class's factor (CountrySpec::firm_start_factor), the adopters split
// among the stacks as the country's are.
std::vector<double> group_starting_shares(const Scenario& s, AgentKind kind, int c, int segment) {
  std::vector<double> share = s.countries[c].initial_share[index_of(kind)];
  const auto outside = s.outside_stack();
  if (kind != AgentKind::firm || !outside) return share;
  const double adopted = 1.0 - share[*outside];
  if (!(adopted > 0)) return share;
  const double scaled = std::min(1.0, adopted * s.countries[c].firm_start_factor[size_of(segment)]);
  for (double& x : share) x *= scaled / adopted;
  share[*outside] = 1.0 - scaled;
  return share;
}

// The seating table: each group's row for stack 0 holds its starting shares, cumulated.
ChoiceTable seating_table(const World& world, AgentKind kind) {
  const int segments = world.population(kind).segments;
  ChoiceTable table(world.country_count() * segments, world.stack_count());
  for (int g = 0; g < table.groups; ++g) {
    const std::vector<double> share = group_starting_shares(world.scenario, kind, g / segments, g % segments);
    std::span<double> row = table.row(g, 0);
    std::copy(share.begin(), share.end(), row.begin());
    cumulate(row);
  }
  return table;
}

// Initialization (MODEL.md, 5): the stacks' starting state, and each agent's starting
// stack drawn from its country's starting shares.
RunState seat_agents(const World& world, const RunConfig& config, RunResult& out) {
  const Scenario& s = world.scenario;
  RunState state{world, config, {}, {}, {}, initial_stack_state(s), {}, {}, 0, {}, {}, {}};
  state.government_bans.assign(std::size_t(s.country_count()) * s.stack_count(), 0);
  state.policies.accepted_at.assign(s.policies.size(), std::vector<int>(s.countries.size(), -1));
  state.employer_salt = mix64(mix64(config.seed) ^ static_cast<std::uint64_t>(config.run) ^ 0xe3b0c44298fc1c14ull);
  for (AgentKind kind : all_agent_kinds) {
    const PopulationLayout& layout = world.population(kind);
    for (int c = 0; c < s.country_count(); ++c) {
      out.agents[std::size_t(c) * agent_kind_count + index_of(kind)] = layout.agents[c];
      out.weight[std::size_t(c) * agent_kind_count + index_of(kind)] = layout.weight[c];
    }
    if (kind == AgentKind::firm)
      for (std::size_t g = 0; g < layout.agents_per_group.size(); ++g)
        out.firm_agents_by_size[g / layout.segments * firm_size_count + size_of(int(g % layout.segments))] +=
            layout.agents_per_group[g];
    state.populations[index_of(kind)] = make_population(kind, layout.segments, layout.agents_per_group);
    state.count(kind) = seat_population(state.population(kind), seating_table(world, kind),
                                        stream_key(config, 0, kind, StreamPurpose::initial));
  }
  state.sum_segments();
  return state;
}

// Month t's compute market, as the file keeps it.
void record_compute(const ComputeAccess& compute, int t, RunResult& out) {
  const std::size_t C = compute.chinese.size();
  for (std::size_t c = 0; c < C; ++c) {
    out.chinese_compute[t * C + c] = static_cast<float>(compute.chinese[c]);
    out.unmet_compute[t * C + c] = static_cast<float>(compute.unmet[c]);
  }
}

// Aggregation and output (MODEL.md, 7.8): month t's shares, global shares, and the
// stacks' capabilities and prices.
void record(const RunState& state, int t, RunResult& out) {
  const World& world = state.world;
  const int K = world.stack_count(), C = world.country_count();
  const float no_agents = std::numeric_limits<float>::quiet_NaN();
  thread_local std::vector<double> weighted;  // kept between months (record runs no other tasks)
  weighted.resize(K);
  for (AgentKind kind : all_agent_kinds) {
    const PopulationLayout& layout = world.population(kind);
    std::fill(weighted.begin(), weighted.end(), 0.0);
    double weighted_total = 0;
    // share [kind][t][c][k]: country c's row for this kind is K floats at c * K.
    float* const share = &out.share_at(t, 0, kind, 0);
    const double* const counts = state.by_country(kind);
    for (int c = 0; c < C; ++c) {
      const std::int64_t n = layout.agents[c];
      const double weight = layout.weight_at(c, t);
      float* const row = share + std::size_t(c) * K;
      for (int k = 0; k < K; ++k) {
        const double on = counts[std::size_t(c) * K + k];
        row[k] = n > 0 ? static_cast<float>(on / double(n)) : no_agents;
        weighted[k] += weight * on;
      }
      weighted_total += weight * double(n);
    }
    for (int k = 0; k < K; ++k)
      out.global_share_at(t, kind, k) = weighted_total > 0 ? static_cast<float>(weighted[k] / weighted_total) : no_agents;
  }
  for (int k = 0; k < K; ++k) {
    out.capability[std::size_t(t) * K + k] = state.stacks.capability[k];
    out.price[std::size_t(t) * K + k] = state.stacks.price[k];
    out.lag[std::size_t(t) * K + k] = state.stacks.lag[k];
  }
  const PopulationLayout& developers = world.population(AgentKind::developer);
  for (int c = 0; c < C; ++c)
    out.real_developers[std::size_t(t) * C + c] =
        static_cast<float>(world.scenario.countries[c].developers * developers.growth_at(c, t));
  for (Bloc b : {Bloc::us, Bloc::cn, Bloc::other}) {
    out.bloc_compute[std::size_t(t) * bloc_count + std::size_t(b) - 1] = state.stacks.compute[std::size_t(b)];
    out.bloc_chips[std::size_t(t) * bloc_count + std::size_t(b) - 1] = state.stacks.chips[std::size_t(b)];
  }
  float* const robots = &out.robot_share[std::size_t(t) * C * bloc_count];
  for (int c = 0; c < C; ++c)
    for (int b = 0; b < bloc_count; ++b)
      robots[std::size_t(c) * bloc_count + b] = world.robots.empty() ? std::numeric_limits<float>::quiet_NaN()
                                                                     : static_cast<float>(world.robots.installed[world.robots.at(t, c, b)]);
}

// Each country's self-hosted load over its power in month t (model/capacity.hpp).
void record_power(const std::vector<double>& load, int t, RunResult& out) {
  for (std::size_t c = 0; c < load.size(); ++c)
    out.power_load[std::size_t(t) * load.size() + c] = static_cast<float>(load[c]);
}

// Usage (MODEL.md, 7.8b; agents/usage.hpp): month t's tokens of each kind in each country
// on each stack, at the prices the country saw this month ([c][k]), each kind's world
// usage shares, and the firms' tokens by sector.
void record_usage(const RunState& state, const std::vector<double>& prices, int t, RunResult& out) {
  const World& world = state.world;
  const Scenario& s = world.scenario;
  const int K = world.stack_count(), C = world.country_count();
  const auto outside = s.outside_stack();
  thread_local std::vector<double> per_adopter, kind_tokens, country_tokens, sector_tokens, factor_at, factor_of;
  per_adopter.resize(K);
  // Each stack's price factor, computed again only where a country's price differs from
  // the last one seen (most countries see the same price: one power a stack a month).
  factor_at.assign(K, std::numeric_limits<double>::quiet_NaN());
  factor_of.resize(K);
  auto factor = [&](int c, int k) {
    const double price = prices[std::size_t(c) * K + k];
    if (price != factor_at[k]) factor_at[k] = price, factor_of[k] = price_factor(s.usage, price);
    return factor_of[k];
  };
  kind_tokens.resize(K);
  country_tokens.resize(K);
  sector_tokens.resize(std::size_t(sector_count) * K);
  for (AgentKind kind : all_agent_kinds) {
    const PopulationLayout& layout = world.population(kind);
    const std::int64_t* const counts = state.counts[index_of(kind)].data();  // [c][segment][k]
    const int S = layout.segments;
    std::fill(kind_tokens.begin(), kind_tokens.end(), 0.0);
    const double use = use_at_reference_price(s.usage, kind, t);
    for (int c = 0; c < C; ++c) {
      const double weighted_use = layout.weight_at(c, t) * use;
      for (int k = 0; k < K; ++k) per_adopter[k] = outside && k == *outside ? 0.0 : weighted_use * factor(c, k);
      std::fill(country_tokens.begin(), country_tokens.end(), 0.0);
      std::fill(sector_tokens.begin(), sector_tokens.end(), 0.0);
      for (int segment = 0; segment < S; ++segment) {
        const std::size_t g = std::size_t(c) * S + segment;
        const double factor = layout.usage_of(s.usage, g);
        const std::int64_t* const on = counts + g * K;
        for (int k = 0; k < K; ++k) {
          const double used = factor * per_adopter[k] * double(on[k]);
          country_tokens[k] += used;
          sector_tokens[std::size_t(sector_of(segment)) * K + k] += used;
        }
      }
      for (int k = 0; k < K; ++k) {
        out.tokens_at(t, c, kind, k) = static_cast<float>(country_tokens[k]);
        kind_tokens[k] += country_tokens[k];
        if (kind != AgentKind::firm) continue;
        for (int sector = 0; sector < sector_count; ++sector)
          out.sector_tokens[out.sector_cell(t, c, sector, k)] = static_cast<float>(sector_tokens[std::size_t(sector) * K + k]);
      }
    }
    double all = 0;
    for (double x : kind_tokens) all += x;
    for (int k = 0; k < K; ++k)
      out.global_usage_share_at(t, kind, k) =
          all > 0 ? static_cast<float>(kind_tokens[k] / all) : std::numeric_limits<float>::quiet_NaN();
  }
}

// Firms by one of their traits, sector or size class (`trait_of(segment)`, `traits` of
// them): each country's share of its firms of a trait on each stack, into share[t][c][trait][k],
// and the world's, into world[t][trait][k], each agent weighted by the firms it stands for.
template <class TraitOf>
void record_firms_by(const RunState& state, int t, int traits, TraitOf trait_of, std::vector<float>& share,
                     std::vector<float>& world_share) {
  const World& world = state.world;
  const int K = world.stack_count(), C = world.country_count();
  const PopulationLayout& layout = world.population(AgentKind::firm);
  const std::int64_t* const counts = state.counts[index_of(AgentKind::firm)].data();  // [c][segment][k]
  const int S = layout.segments;
  const float none = std::numeric_limits<float>::quiet_NaN();
  thread_local std::vector<double> world_on, on, world_all, all;  // [trait][k], [trait]
  world_on.assign(std::size_t(traits) * K, 0.0);
  world_all.assign(traits, 0.0);
  for (int c = 0; c < C; ++c) {
    on.assign(std::size_t(traits) * K, 0.0);
    all.assign(traits, 0.0);
    for (int segment = 0; segment < S; ++segment) {
      const std::size_t g = std::size_t(c) * S + segment;
      const double relative = layout.relative_weight_of(g);
      const int trait = trait_of(segment);
      all[trait] += relative * double(layout.agents_per_group[g]);
      for (int k = 0; k < K; ++k) on[std::size_t(trait) * K + k] += relative * double(counts[g * K + k]);
    }
    const double weight = layout.weight_at(c, t);
    for (int trait = 0; trait < traits; ++trait) {
      for (int k = 0; k < K; ++k) {
        const double x = on[std::size_t(trait) * K + k];
        share[((std::size_t(t) * C + c) * traits + trait) * K + k] = all[trait] > 0 ? static_cast<float>(x / all[trait]) : none;
        world_on[std::size_t(trait) * K + k] += weight * x;
      }
      world_all[trait] += weight * all[trait];
    }
  }
  for (int trait = 0; trait < traits; ++trait)
    for (int k = 0; k < K; ++k)
      world_share[(std::size_t(t) * traits + trait) * K + k] =
          world_all[trait] > 0 ? static_cast<float>(world_on[std::size_t(trait) * K + k] / world_all[trait]) : none;
}

// Firms by sector and by size class (MODEL.md, 7.8).
void record_firm_groups(const RunState& state, int t, RunResult& out) {
  record_firms_by(state, t, sector_count, sector_of, out.sector_share, out.global_sector_share);
  record_firms_by(state, t, firm_size_count, size_of, out.size_share, out.global_size_share);
}

// One month, in the order of MODEL.md (section 3): the month's compute is resolved
// (export controls, Chinese supply, bundles built by last month), policies drive the
// stacks, the stacks move, agents see the month, governments decide on bundles, policies edit what agents
// see, governments decide their regimes, then countries, firms and developers revise,
// and the month is recorded. Every kind decides on last month's aggregates (and
// developers on their employers' stacks of last month), so all tables are built, and the
// firms' stacks copied, before any agent moves.
void step(RunState& state, int t, RunResult& out) {
  const World& world = state.world;
  const Scenario& s = world.scenario;
  const RunConfig& config = state.config;
  const PolicyContext context{s.stacks, s.countries, t};
  const CountryCounts last_month = state.country_counts();
  const std::vector<double> usage = global_developer_share(world, last_month, t - 1);
  const ComputeAccess compute = resolve_compute(s, &state.policies, t);
  const BlocHomes homes{{{}, s.compute.us.home, s.compute.cn.home, s.compute.other.home}};
  advance_stacks(s, usage, drive_stacks(s.policies, context, compute.unmet, homes), state.stacks);
  MonthView& view = state.view;
  see_month(world, state.stacks, last_month, state.counts[index_of(AgentKind::firm)].data(), usage, compute, t, view);
  const auto C = static_cast<std::uint64_t>(s.country_count());
  decide_bundles(s.policies, context, view.government_stack,
                 [&](std::size_t i, int c) {
                   return uniform_draw(config, t, StreamPurpose::bundle, i * C + static_cast<std::uint64_t>(c));
                 },
                 state.policies);
  edit_environment(s.policies, state.policies, context, view.env);
  decide_regimes(s, view, t,
                 [&](std::uint64_t index) { return uniform_draw(config, t, StreamPurpose::regime, index); },
                 state.government_bans, out.government_ban_month, view.env);
  for (AgentKind kind : all_agent_kinds) fill_choice_table(world, kind, view, state.tables[index_of(kind)]);
  state.last_month_firms = state.population(AgentKind::firm).stack;
  EmployerLink employer{state.last_month_firms.data(), &state.population(AgentKind::firm), state.employer_salt};
  for (AgentKind kind : all_agent_kinds) {
    const bool employed = kind == AgentKind::developer && state.tables[index_of(kind)].employers > 1;
    revise_population(state.population(kind), state.tables[index_of(kind)],
                      stream_key(config, t, kind, StreamPurpose::revise), state.count(kind),
                      employed ? &employer : nullptr);
  }
  state.sum_segments();
  record(state, t, out);
  record_compute(compute, t, out);
  record_usage(state, view.env.price, t, out);
  record_firm_groups(state, t, out);
  record_power(view.power_load, t, out);
}

}  // namespace

RunResult simulate(const World& world, const RunConfig& config) {
  const int steps = world.scenario.steps;
  RunResult out(steps + 1, world.country_count(), world.stack_count());
  out.seed = config.seed;
  RunState state = seat_agents(world, config, out);
  const ComputeAccess start = resolve_compute(world.scenario, &state.policies, 0);
  record(state, 0, out);
  record_compute(start, 0, out);
  // The start's prices: the stacks' own, as the compute market prices them (policies act
  // from month 1).
  set_environment(world.scenario, state.stacks, 0, state.view.env);
  price_compute(world.scenario, start, state.view.env);
  record_usage(state, state.view.env.price, 0, out);
  record_firm_groups(state, 0, out);
  record_power(start_power_load(world, state.country_counts(), state.counts[index_of(AgentKind::firm)].data(),
                                state.view.env, start),
               0, out);
  for (int t = 1; t <= steps; ++t) {
    if (config.stop && config.stop->load(std::memory_order_relaxed)) throw RunInterrupted();
    step(state, t, out);
    if (config.on_step) config.on_step(t, steps);
  }
  return out;
}

}  // namespace stackrace
