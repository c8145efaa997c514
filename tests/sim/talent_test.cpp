// Talent (MODEL.md 7.2b): each country's developers grow at their own rate, halving every
// `talent.growth_halving_years`. Exact: the growth factor's closed form, and the world
// shares weighed by the grown counts; direction: the growing country's stack gains.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/talent.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

// Two countries as large as each other at the start, each on its own stack; only GROW grows.
std::string talent_world(const std::string& extra) {
  return R"(
[scenario]
name = "talent"
steps = 36

[population]
developer_agents = 100_000

[[stacks]]
id = "home"
capability = 1.0
price = 1.0

[[stacks]]
id = "away"
capability = 1.0
price = 1.0

[choice.developer]
revise = 0.0

[[countries]]
id = "GROW"
developers = 1e6
developer_growth = 0.5
initial_share = { home = 1.0 }

[[countries]]
id = "STAY"
developers = 1e6
initial_share = { away = 1.0 }
)" + extra;
}

Scenario load(const std::string& text) {
  test::TempScenario file(text);
  return load_scenario(file.path());
}

}  // namespace

TEST_CASE("a country's developers grow at its rate, and the rate halves every halving time", "[talent]") {
  Scenario s = load(talent_world(""));
  CHECK(developer_growth_factor(s, 0, 0) == 1.0);
  CHECK(developer_growth_factor(s, 0, 12) == Approx(1.5).epsilon(1e-12));  // no halving: constant
  CHECK(developer_growth_factor(s, 0, 36) == Approx(1.5 * 1.5 * 1.5).epsilon(1e-12));
  CHECK(developer_growth_factor(s, 1, 36) == 1.0);
  s.talent.growth_halving_years = 2;
  // The rate of growth in month t (d ln D / dt, per year) is ln 1.5 · 2^(−years / 2).
  auto rate = [&](int t) { return 12 * std::log(developer_growth_factor(s, 0, t + 1) / developer_growth_factor(s, 0, t)); };
  CHECK(rate(0) == Approx(std::log(1.5)).epsilon(0.03));
  CHECK(rate(24) / rate(0) == Approx(0.5).epsilon(0.001));
  CHECK(rate(48) / rate(24) == Approx(0.5).epsilon(0.001));
  s.feedback.talent_growth = false;
  CHECK(developer_growth_factor(s, 0, 36) == 1.0);
}

TEST_CASE("world shares weigh each country by its developers of the month", "[talent]") {
  const RunResult r = test::run(load(talent_world("")));
  // Nobody revises: each country stays on its stack, and the world's share of `home` is
  // GROW's share of the world's developers.
  for (int t : {0, 12, 36}) {
    const double grow = std::pow(1.5, t / 12.0);
    CHECK(r.global_share_at(t, AgentKind::developer, 0) == Approx(grow / (grow + 1)).epsilon(1e-6));
  }
  const RunResult off = test::run(load(talent_world("[feedback]\ntalent_growth = false\n")));
  CHECK(off.global_share_at(36, AgentKind::developer, 0) == Approx(0.5).epsilon(1e-6));
  CHECK(off.share_at(36, 0, AgentKind::developer, 0) == r.share_at(36, 0, AgentKind::developer, 0));  // shares within a country alike
}

TEST_CASE("the country table's developer growth is read, and missing rows take their region's median", "[talent]") {
  const Scenario s = load_scenario(test::world("default.toml"));
  CHECK(s.countries[test::country_index(s, "IND")].developer_growth == Approx(0.3230).epsilon(1e-9));
  CHECK(s.countries[test::country_index(s, "CHN")].developer_growth == Approx(0.0868).epsilon(1e-9));
  // North Korea has no GitHub figure: East Asia & Pacific's median.
  std::vector<double> region;
  for (const CountrySpec& c : s.countries)
    if (c.region == "East Asia & Pacific" && c.id != "PRK" && c.id != "NRU" && c.id != "TUV") region.push_back(c.developer_growth);
  std::sort(region.begin(), region.end());
  const double median = region.size() % 2 ? region[region.size() / 2] : 0.5 * (region[region.size() / 2 - 1] + region[region.size() / 2]);
  CHECK(s.countries[test::country_index(s, "PRK")].developer_growth == Approx(median).epsilon(1e-12));
  CHECK(s.talent.growth_halving_years == 4.0);
  CHECK(s.talent.counted_month == -4);  // GitHub's 2025 Q3 counts, four months before the 2026-01 start
}

TEST_CASE("developers counted after the start are grown backwards to it", "[talent]") {
  Scenario s = load(talent_world("[talent]\ncounted = \"2026-07\"\n"));  // the start is 2026-01 by default
  CHECK(s.talent.counted_month == 6);
  CHECK(developer_growth_factor(s, 0, 6) == 1.0);
  CHECK(developer_growth_factor(s, 0, 0) == Approx(std::pow(1.5, -0.5)).epsilon(1e-12));
  CHECK(developer_growth_factor(s, 0, 18) == Approx(1.5).epsilon(1e-12));
}
