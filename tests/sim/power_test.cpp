// Power (MODEL.md 7.3, "Capacity limits"; model/capacity.hpp): a country's data-centre
// power grows at its build-out rate up to a share of its grid; the tokens its users run
// on open weights are its self-hosted load; beyond the power AI may draw, open-weight
// stacks lose utility. Exact: the load of one month's tokens, the build-out and its
// ceiling, the result file's power_load; direction: where power binds, fewer use open
// weights, and a bundle's power relieves it.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/capacity.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

// One country; developers only, a closed and an open stack; `mw` of data centres.
std::string power_world(double mw, const std::string& extra) {
  return R"(
[scenario]
name = "power"
steps = 36

[population]
developer_agents = 100_000

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "closed"
bloc = "us"
capability = 1.0
price = 2.0

[[stacks]]
id = "open"
bloc = "cn"
open_weights = true
capability = 1.0
price = 1.0

[compute]
joules_per_token = 2.0
ai_power_share = 0.5
capacity_penalty = 2.0

[compute.us]
share = 0.75

[compute.cn]
share = 0.25

[usage.developer]
tokens_per_month = 1e7

[[countries]]
id = "ONE"
developers = 1e6
datacenter_mw = )" + std::to_string(mw) + R"(
datacenter_growth = 0.0
initial_share = { none = 0.2, closed = 0.4, open = 0.4 }
)" + extra;
}

Scenario load(const std::string& text) {
  test::TempScenario file(text);
  return load_scenario(file.path());
}

constexpr int open_stack = 2;

}  // namespace

TEST_CASE("a month's tokens need their energy, falling as compute per watt rises", "[power]") {
  ComputeDynamics c;
  c.joules_per_token = 0.4;
  c.efficiency_growth = 0.03;
  // 1e15 tokens a month at 0.4 J: 4e14 J over 2,629,800 s = 152.1 MW.
  CHECK(token_load_mw(c, 1e15, 0) == Approx(1e15 * 0.4 / (365.25 * 86400 / 12) / 1e6).epsilon(1e-15));
  CHECK(token_load_mw(c, 1e15, 0) == Approx(152.10).epsilon(1e-4));
  CHECK(token_load_mw(c, 1e15, 24) == Approx(token_load_mw(c, 1e15, 0) / std::pow(1.03, 24)).epsilon(1e-12));
}

TEST_CASE("data-centre power grows at its build-out until the grid's share, then with the grid", "[power]") {
  ComputeDynamics c;
  CountrySpec country;
  country.datacenter_mw = 100;
  country.datacenter_growth = 0.2;
  country.electricity_gw = 4;
  country.electricity_growth = 0.02;
  CHECK(datacenter_power(c, country, 24) == Approx(100 * 1.44).epsilon(1e-12));  // no ceiling given
  c.grid_share_limit = 0.05;  // 200 MW of a 4 GW grid
  // 100 * 1.2^y reaches 200 * 1.02^y at y = ln 2 / ln(1.2 / 1.02) = 4.27 years.
  CHECK(datacenter_power(c, country, 36) == Approx(100 * std::pow(1.2, 3)).epsilon(1e-12));
  CHECK(datacenter_power(c, country, 60) == Approx(200 * std::pow(1.02, 5)).epsilon(1e-12));
  // A country already above it keeps what it has and grows with its grid.
  country.datacenter_mw = 500;
  CHECK(datacenter_power(c, country, 12) == Approx(500 * 1.02).epsilon(1e-12));
}

TEST_CASE("the result file's power load is the open-weight tokens' power over the power AI may draw", "[power]") {
  const Scenario s = load(power_world(1000.0, ""));
  const World w = build_world(s);
  const RunResult r = simulate(w, first_run(w));
  const PopulationLayout& developers = w.population(AgentKind::developer);
  // Month 0: the seated open-weight developers' tokens at the start, 2 J each, over half
  // of 1,000 MW.
  const double on = std::round(double(r.share_at(0, 0, AgentKind::developer, open_stack)) * double(developers.agents[0]));
  const double tokens = developers.weight[0] * on * 1e7;
  CHECK(r.power_load[0] == Approx(token_load_mw(s.compute, tokens, 0) / 500.0).epsilon(1e-6));
  // No data-centre power given: nothing limits it.
  const RunResult unlimited = test::run(load(power_world(0.0, "")));
  CHECK(std::isnan(unlimited.power_load[0]));
}

TEST_CASE("where power binds, fewer use open weights; a bundle's power relieves it", "[power]") {
  // 400,000 open-weight developers at 1e7 tokens and 2 J need about 3 MW: 2 MW of data
  // centres (1 MW for AI) binds, 200 MW does not.
  auto open_at_end = [](const RunResult& r) { return r.global_share_at(r.times - 1, AgentKind::developer, open_stack); };
  const RunResult tight = test::run(load(power_world(2.0, "")));
  const RunResult ample = test::run(load(power_world(200.0, "")));
  const RunResult off = test::run(load(power_world(2.0, "[feedback]\ncapacity_limits = false\n")));
  CHECK(tight.power_load[0] > 1.0);
  CHECK(ample.power_load[0] < 0.1);
  CHECK(open_at_end(tight) < open_at_end(ample) - 0.05);
  CHECK(open_at_end(off) == open_at_end(ample));  // no penalty either way: the same draws, the same run
  const RunResult bundled = test::run(load(power_world(2.0, R"(
[[policies]]
type = "infrastructure_bundle"
targets = ["ONE"]
stack = "open"
offered_by = "cn"
power_mw = 50
accept_base = 100
)")));
  CHECK(bundled.power_load[std::size_t(bundled.times - 1)] < 0.2);
}

TEST_CASE("the start's power load is the open-weight tokens the file holds, firms by segment, over the power",
          "[power]") {
  ScenarioOverrides o;
  o.developer_agents = 20'000;
  o.steps = 2;
  const Scenario s = load_scenario(test::world("default.toml"), o);
  const World w = build_world(s);
  const RunResult r = simulate(w, first_run(w));
  int limited = 0;
  for (int c = 0; c < s.country_count(); ++c) {
    if (std::isnan(r.power_load[c])) continue;
    double tokens = 0;  // month 0, every kind, every open-weight stack
    for (AgentKind kind : all_agent_kinds)
      for (int k = 0; k < s.stack_count(); ++k)
        if (s.stacks[k].open_weights) tokens += r.tokens_at(0, c, kind, k);
    INFO(s.countries[c].id);
    CHECK(r.power_load[c] == Approx(token_load_mw(s.compute, tokens, 0) / ai_power(s, c, 0, 0.0)).epsilon(2e-5));
    ++limited;
  }
  CHECK(limited == s.country_count());  // every country has data-centre power (table or GDP rule)
}

TEST_CASE("a table country's build-out survives an override of its electricity growth", "[power][loader]") {
  ScenarioOverrides o;
  o.set = {"countries.USA.electricity_growth=0.03"};
  const Scenario s = load_scenario(test::world("default.toml"), o);
  const CountrySpec& usa = s.countries[test::country_index(s, "USA")];
  CHECK(usa.build_out() == Approx(0.151).epsilon(1e-12));
  CHECK(usa.electricity_growth == 0.03);
  // A country given no build-out grows its data centres with its electricity.
  CountrySpec plain;
  plain.electricity_growth = 0.04;
  CHECK(plain.build_out() == 0.04);
}
