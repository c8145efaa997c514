// The engine's choice tables against the model's plain rule (agents/transition.hpp): the
// fast rows (precomputed odds, compile-time stack counts, cached logarithms) must give
// every agent the same month as the rule, whatever the utilities.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "agents/adoption.hpp"
#include "agents/transition.hpp"
#include "model/month_view.hpp"
#include "model/utilities.hpp"
#include "sim/choice_tables.hpp"
#include "sim/situation_rows.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

constexpr double unavailable = -std::numeric_limits<double>::infinity();

// Row `row` (cumulative) of a visited agent, as probabilities.
std::vector<double> uncumulated(const double* row, int K) {
  std::vector<double> p(K);
  for (int k = 0; k < K; ++k) p[k] = row[k] - (k > 0 ? row[k - 1] : 0.0);
  return p;
}

// A visited agent moves by its row; an agent is visited with probability `visit`: its
// chance of ending the month on each stack.
std::vector<double> monthly(const std::vector<double>& visited, double visit, int current) {
  std::vector<double> p(visited.size());
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = visit * visited[k] + (int(k) == current ? 1.0 - visit : 0.0);
  return p;
}

// One random situation: utilities (some stacks unavailable), bans, lock-in, a switching
// cost, the month's chances, and the visit rate the engine would give its group.
struct RandomSituation {
  std::vector<double> utility, lock_in, reach;
  std::vector<std::uint8_t> banned;
  double switching_cost = 0;
  MonthChances chances;
  int outside = -1;
  double visit = 0;

  RandomSituation(int K, std::mt19937_64& rng) : utility(K), lock_in(K, 0.0), reach(K, 1.0), banned(K, 0) {
    std::uniform_real_distribution<double> unit(0, 1);
    std::normal_distribution<double> value(0, 3);
    outside = unit(rng) < 0.5 ? int(rng() % K) : -1;
    bool any_ban = false;
    for (int k = 0; k < K; ++k) {
      utility[k] = value(rng);
      if (k == outside) utility[k] = unavailable;
      else if (unit(rng) < 0.15) banned[k] = 1, utility[k] = unavailable, any_ban = true;
      else if (unit(rng) < 0.1) utility[k] = unavailable;
      if (unit(rng) < 0.3) lock_in[k] = 2 * unit(rng);
      // Some stacks unserved: reached by a share of agents, now and then by none.
      if (k != outside && unit(rng) < 0.3) reach[k] = unit(rng) < 0.1 ? 0.0 : unit(rng);
    }
    switching_cost = -1 + 4 * unit(rng);
    chances.revise = unit(rng);
    chances.abandon = outside >= 0 ? (1 - chances.revise) * unit(rng) : 0.0;
    chances.adopt = outside >= 0 ? unit(rng) : 0.0;
    // As fill_choice_table: the fastest rate at which anyone acts, and every agent where
    // a stack with users is banned.
    visit = any_ban ? 1.0 : std::max(std::min(1.0, chances.revise + chances.abandon), chances.adopt);
  }

  StackOptions options() const { return {utility, banned, lock_in, reach, switching_cost, outside}; }
  SituationMonth month() const {
    return {visit, chances, banned.data(), lock_in.data(), reach.data(), switching_cost, outside};
  }
};

template <int StaticK>
void check_random_situations(int K, int trials) {
  std::mt19937_64 rng(20261207 + K);
  SituationRows<StaticK> rows;
  std::vector<double> table(std::size_t(K) * K), rule(K);
  for (int trial = 0; trial < trials; ++trial) {
    const RandomSituation s(K, rng);
    rows.fill(s.utility, s.month(), table.data(), std::size_t(K));
    for (int current = 0; current < K; ++current) {
      month_transition(s.options(), s.chances, current, rule);
      const std::vector<double> engine = monthly(uncumulated(&table[std::size_t(current) * K], K), s.visit, current);
      for (int k = 0; k < K; ++k) {
        INFO("K = " << K << ", trial " << trial << ", current " << current << ", stack " << k);
        REQUIRE(engine[k] == Approx(rule[k]).margin(1e-12));
      }
    }
  }
}

}  // namespace

TEST_CASE("the engine's rows give every agent the model's month, for random utilities, reach and 2, 3 and 5 stacks",
          "[choice_tables][property]") {
  check_random_situations<2>(2, 20'000);
  check_random_situations<3>(3, 20'000);
  check_random_situations<4>(4, 20'000);
  check_random_situations<0>(5, 20'000);
  check_random_situations<0>(2, 2'000);  // the general path agrees with the unrolled one's rule too
}

// The month of an agent on `current` as the engine gives it: visited with the group's
// rate and moved by its row; a non-adopter the visits passed over adopts, by the same
// row, with the group's late chance (ChoiceTable::late_adoption).
std::vector<double> engine_month(const ChoiceTable& table, int g, int current, int e, int outside) {
  const int K = table.stacks;
  const double visit = table.visit_rate[g], late = current == outside ? table.late_adoption[std::size_t(g)] : 0.0;
  const std::vector<double> row = uncumulated(table.row(g, current, e).data(), K);
  std::vector<double> p = monthly(row, visit, current);
  for (int k = 0; k < K; ++k) p[k] += (1 - visit) * late * (row[k] - (k == current ? 1.0 : 0.0));
  return p;
}

// expect_late: whether some rows must take the late-adoption path, or none; empty: either.
void check_default_world_tables(const std::vector<std::string>& set, std::optional<bool> expect_late);

TEST_CASE("the default world's tables are the model's rule for every group, stack and employer", "[choice_tables]") {
  check_default_world_tables({}, std::nullopt);
  // All firm sizes at one pace: no group's non-adopters outpace its adopters.
  check_default_world_tables({"adoption.firm.size_elasticity=0"}, false);
}

TEST_CASE("so are they where non-adopters adopt faster than adopters revise (late adoption)", "[choice_tables][late]") {
  check_default_world_tables({"adoption.developer.innovation=0.4", "adoption.firm.innovation=0.3"}, true);
}

void check_default_world_tables(const std::vector<std::string>& set, std::optional<bool> expect_late) {
  ScenarioOverrides o;
  o.developer_agents = 20'000;
  o.set = set;
  const World world = build_world(load_scenario(test::world("policies/deepseek_bans_2025.toml"), o));
  const Scenario& s = world.scenario;
  const int K = s.stack_count(), C = s.country_count();
  // Last month's counts: each country's starting shares of its agents, rounded.
  std::array<std::vector<double>, agent_kind_count> counts;
  CountryCounts on{};
  for (AgentKind kind : all_agent_kinds) {
    for (int c = 0; c < C; ++c)
      for (int k = 0; k < K; ++k)
        counts[index_of(kind)].push_back(double(std::llround(double(world.population(kind).agents[c]) *
                                                             s.countries[c].initial_share[index_of(kind)][k])));
    on[index_of(kind)] = counts[index_of(kind)].data();
  }
  // The firms' by segment, [c][segment][k], for the power load.
  const PopulationLayout& firms = world.population(AgentKind::firm);
  std::vector<std::int64_t> firm_groups;
  for (int c = 0; c < C; ++c)
    for (int segment = 0; segment < firms.segments; ++segment)
      for (int k = 0; k < K; ++k)
        firm_groups.push_back(std::llround(double(firms.agents_per_group[std::size_t(c) * firms.segments + segment]) *
                                           s.countries[c].initial_share[index_of(AgentKind::firm)][k]));
  const int month = 1;
  MonthView view;
  see_month(world, initial_stack_state(s), on, firm_groups.data(), global_developer_share(world, on, 0),
            resolve_compute(s, nullptr, month), month, view);
  PolicyState policies;
  policies.accepted_at.assign(s.policies.size(), std::vector<int>(C, -1));
  edit_environment(s.policies, policies, PolicyContext{s.stacks, s.countries, month}, view.env);

  const int outside = *s.outside_stack();
  std::vector<double> u(K), rule(K);
  std::size_t banned_rows = 0, late_rows = 0;
  for (AgentKind kind : {AgentKind::firm, AgentKind::developer}) {
    ChoiceTable table;
    fill_choice_table(world, kind, view, table);
    const KindWeights& w = s.kind_weights(kind);
    const AdoptionRule& adoption = s.adoption_rule(kind);
    const double* constants = world.calibration.constant[index_of(kind)].data();
    const int S = world.population(kind).segments;
    REQUIRE(table.employers == (kind == AgentKind::developer ? K + 1 : 1));
    for (int c = 0; c < C; ++c) {
      const std::size_t cell = view.env.cell(c, 0);
      // The adoption hazard from the first segment's value of adopting.
      stack_values(s, kind, group_situation(s, kind, c, 0, view), c, view, constants, u);
      const double gain = value_gain(reachable_value(u, view.env.reach_in(kind, c)), world.calibration.start_value[index_of(kind)][c]);
      // Each firm size class at its own pace (agents/adoption.hpp).
      auto adopt_in = [&](int segment) {
        const double staff = kind == AgentKind::firm ? s.countries[c].staff_per_firm(size_of(segment)) : 1.0;
        return adoption_hazard(adoption, s.countries[c].gdp_per_capita, gain, view.adopted[index_of(kind)][c], staff);
      };
      const StackOptions options{u,
                                 {view.env.banned[index_of(kind)].data() + cell, std::size_t(K)},
                                 {view.env.lock_in.data() + cell, std::size_t(K)},
                                 view.env.reach_in(kind, c),
                                 w.base.switching_cost,
                                 outside};
      for (int segment = 0; segment < S; ++segment) {
        const int g = c * S + segment;
        for (int e = 0; e < table.employers; ++e) {
          AgentSituation a = group_situation(s, kind, c, segment, view);
          a.employer_stack = table.employers > 1 && e < K ? e : -1;
          for (int k = 0; k < K; ++k)  // the employer's pull included (stack_utility)
            u[k] = stack_value(s, kind, w, a, c, k, view, constants, [](int, double p) { return std::log(p); });
          for (int current = 0; current < K; ++current) {
            // A row is read only where the group has agents on its stack, and the visit
            // rate counts only those: a banned stack's users make the whole group visited
            // (they must leave it), non-adopters make it visited at least at the hazard.
            if (view.kind_share[index_of(kind)][cell + current] == 0) continue;
            banned_rows += options.banned[current];
            month_transition(options, {w.base.revise, adopt_in(segment), adoption.abandon}, current, rule);
            const std::vector<double> engine = engine_month(table, g, current, e, outside);
            late_rows += current == outside && table.late_adoption[std::size_t(g)] > 0;
            for (int k = 0; k < K; ++k) {
              INFO(agent_kind_name(kind) << " in " << s.countries[c].id << ", segment " << segment << ", employer "
                                         << e << ", on " << current << ", to " << k);
              REQUIRE(engine[k] == Approx(rule[k]).margin(1e-12));
            }
          }
        }
      }
    }
  }
  CHECK(banned_rows > 0);  // the bans of 2025 were among the rows checked
  if (expect_late) CHECK((late_rows > 0) == *expect_late);
}
