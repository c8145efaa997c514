// Capital (MODEL.md 7.2, "Capital and compute"): a bloc's chips are what its spending buys
// less what wears out. Exact: the chips' recursion and its closed form; direction: more
// spending, more compute, a shorter lag; switched off or without investment, the chips
// grow at `growth` as before.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/capital.hpp"
#include "model/stack_dynamics.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

std::string capital_world(const std::string& extra, const std::string& cn_investment = "1.2e9") {
  return R"(
[scenario]
name = "capital"
steps = 60

[population]
developer_agents = 10_000

[[stacks]]
id = "lead"
bloc = "us"
capability = 1.0
price = 1.0

[[stacks]]
id = "follow"
bloc = "cn"
capability = 0.98
lag_months = 7
price = 0.5

[compute]
depreciation = 0.02
world_h100e = 1e6
catch_up = 0.1

[compute.us]
share = 0.8
growth = 0.05

[compute.cn]
share = 0.2
growth = 0.05
investment_usd_per_year = )" + cn_investment + R"(
h100e_per_million_usd = 100

[[countries]]
id = "ONE"
developers = 1.0
initial_share = { lead = 0.5, follow = 0.5 }
)" + extra;
}

Scenario load(const std::string& text) {
  test::TempScenario file(text);
  return load_scenario(file.path());
}

// The chips of every bloc over `months` months, with nothing cut.
std::vector<std::array<double, 4>> chips_path(const Scenario& s, int months) {
  StackState state = initial_stack_state(s);
  const StackDrivers none(s.stack_count());
  std::vector<std::array<double, 4>> path{state.chips};
  for (int t = 1; t <= months; ++t) {
    advance_stacks(s, std::vector<double>(s.stack_count(), 0.0), none, state);
    path.push_back(state.chips);
  }
  return path;
}

}  // namespace

TEST_CASE("a bloc's chips are what its spending buys, less what wears out", "[capital]") {
  const Scenario s = load(capital_world(""));
  // 1.2e9 a year = 1e8 a month buys 100 H100e per million USD = 1e4 H100e a month, 0.01 of
  // the world's 1e6 at the start; 2% of the chips wear out a month. Constant spending and
  // prices: chips(t) = 0.5 + (0.2 - 0.5) 0.98^t, the steady state being 0.01 / 0.02.
  CHECK(chips_bought(s.compute, s.compute.cn, 1) == Approx(0.01).epsilon(1e-12));
  const auto path = chips_path(s, 60);
  for (int t : {1, 12, 60})
    CHECK(path[t][bloc_index(Bloc::cn)] == Approx(0.5 + (0.2 - 0.5) * std::pow(0.98, t)).epsilon(1e-12));
  // The us bloc invests nothing: its chips grow at `growth`, as without capital.
  CHECK(path[12][bloc_index(Bloc::us)] == Approx(0.8 * std::pow(1.05, 12)).epsilon(1e-12));
}

TEST_CASE("spending grows at its rate, halving as told, and chips get cheaper at price-performance", "[capital]") {
  Scenario s = load(capital_world(""));
  s.compute.cn.investment_growth = 0.5;
  CHECK(investment_at(s.compute, s.compute.cn, 1) == 1e8);  // the first month spends I(0)/12
  CHECK(investment_at(s.compute, s.compute.cn, 13) == Approx(1e8 * 1.5).epsilon(1e-12));
  s.compute.investment_growth_halving_years = 1;
  // The growth rate at y years, ln 1.5 · 2^(-y): its integral over the first year is ln 1.5 / (2 ln 2).
  CHECK(investment_at(s.compute, s.compute.cn, 13) == Approx(1e8 * std::exp(std::log(1.5) / (2 * std::log(2.0)))).epsilon(1e-12));
  s.compute.investment_growth_halving_years = 0;
  s.compute.cn.investment_growth = 0;
  s.compute.price_performance_growth = 0.03;
  CHECK(chips_bought(s.compute, s.compute.cn, 13) == Approx(0.01 * std::pow(1.03, 12)).epsilon(1e-12));
}

TEST_CASE("more spending buys a follower more compute and a shorter lag; switched off, growth as before", "[capital]") {
  auto end_state = [](const std::string& extra, const std::string& investment = "1.2e9") {
    const Scenario s = load(capital_world(extra, investment));
    StackState state = initial_stack_state(s);
    const StackDrivers none(s.stack_count());
    for (int t = 1; t <= 60; ++t) advance_stacks(s, std::vector<double>(s.stack_count(), 0.0), none, state);
    return state;
  };
  const StackState base = end_state(""), richer = end_state("", "6e9");
  CHECK(richer.compute[bloc_index(Bloc::cn)] > 2 * base.compute[bloc_index(Bloc::cn)]);
  CHECK(richer.lag[1] < base.lag[1] - 1);
  const StackState off = end_state("[feedback]\ncapital = false\n");
  CHECK(off.chips[bloc_index(Bloc::cn)] == Approx(0.2 * std::pow(1.05, 60)).epsilon(1e-12));
}

TEST_CASE("the default world's blocs grow at their measured rate in the first month", "[capital]") {
  const Scenario s = load_scenario(test::world("default.toml"));
  const auto path = chips_path(s, 1);
  for (Bloc b : {Bloc::us, Bloc::cn, Bloc::other})
    CHECK(path[1][bloc_index(b)] / path[0][bloc_index(b)] == Approx(1.0719).epsilon(2e-4));  // 2.3x a year
}

TEST_CASE("export controls cut a bloc's net additions, never a shrinking stock", "[capital]") {
  const Scenario s = load(capital_world(""));
  StackState state = initial_stack_state(s);
  StackDrivers cut(s.stack_count());
  cut.compute_growth_cut[bloc_index(Bloc::cn)] = 0.5;
  // 0.2 chips: buys 0.01, loses 0.004, net +0.006, half of it cut.
  advance_stacks(s, std::vector<double>(s.stack_count(), 0.0), cut, state);
  CHECK(state.chips[bloc_index(Bloc::cn)] == Approx(0.2 + 0.003).epsilon(1e-12));
  // Above its steady state (0.5) the stock shrinks at the full loss, cut or not.
  state.chips[bloc_index(Bloc::cn)] = 1.0;
  advance_stacks(s, std::vector<double>(s.stack_count(), 0.0), cut, state);
  CHECK(state.chips[bloc_index(Bloc::cn)] == Approx(1.0 + 0.01 - 0.02).epsilon(1e-12));
}
