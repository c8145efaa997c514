// Where stacks are served (model/availability.hpp, agents/reach.hpp): a stack a country
// cannot get holds only what leakage allows, however good it is; its reach can change on
// a date; and in the default world the US closed stack's share in the countries it does
// not serve stays within the leakage its sources give.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "agents/reach.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

// One country, everyone an adopter, revising every month; `better` is far better than
// `plain` but served only to a share `leakage` of agents (from `start`, if given).
std::string two_stacks(double leakage, const std::string& start = "") {
  return R"(
[scenario]
name = "reach"
start = "2026-01"
steps = 48

[population]
developer_agents = 200_000

[[stacks]]
id = "plain"
capability = 1.0
price = 1.0

[[stacks]]
id = "better"
capability = 1.0
price = 0.001

[choice.developer]
revise = 1.0
log_price = 2.0
switching_cost = 0.0

[[countries]]
id = "ONE"
developers = 1.0
initial_share = { plain = 0.5, better = 0.5 }

[[availability]]
stack = "better"
targets = ["ONE"]
leakage = )" + std::to_string(leakage) +
         (start.empty() ? "" : "\nstart = \"" + start + "\"") + "\n";
}

double better_share(const std::string& text, int t) {
  test::TempScenario file(text, "reach.toml");
  const Scenario s = load_scenario(file.path());
  return test::run(s).share_at(t, 0, AgentKind::developer, 1);
}

}  // namespace

TEST_CASE("reach averages the logit over what an agent can get", "[availability][reach]") {
  // Two stacks, the second reached by 30%: its choosers are 30% of those who pick it when
  // they can, the first gets the rest.
  const std::vector<double> u{0.0, std::log(3.0)}, reach{1.0, 0.3};
  std::vector<double> p(2);
  reached_choice(u, reach, p);
  CHECK(p[1] == Approx(0.3 * 0.75));
  CHECK(p[0] == Approx(0.7 + 0.3 * 0.25));
  // Nothing reachable: nobody chooses.
  reached_choice(u, std::vector<double>{0.0, 0.0}, p);
  CHECK(p[0] + p[1] == 0.0);
  // The value of choosing weighs each stack's odds by its reach.
  CHECK(reachable_value(u, reach) == Approx(std::log(1.0 + 0.3 * 3.0)));
  CHECK(reachable_value(u, {}) == Approx(std::log(4.0)));
}

TEST_CASE("a stack a country cannot get holds what leakage allows, however good it is", "[availability][reach]") {
  // Served, it takes nearly everyone; unserved, it settles at its reach (revising every
  // month, those who reach it pick it, the rest must leave it).
  CHECK(better_share(two_stacks(1.0), 48) > 0.99);
  for (double leakage : {0.05, 0.2, 0.5}) {
    INFO("leakage " << leakage);
    const double share = better_share(two_stacks(leakage), 48);
    CHECK(share == Approx(leakage).margin(0.005));
  }
  // Not reached at all from 2026-03 (month 2): its users, revising every month, leave it
  // that month.
  const std::string cut = two_stacks(0.0, "2026-03");
  CHECK(better_share(cut, 1) > 0.9);
  CHECK(better_share(cut, 2) == 0.0);
}

TEST_CASE("a stack's reach changes on its date", "[availability][reach]") {
  // Served for the first 24 months, cut to 10% from 2028-01 (month 24).
  const std::string text = two_stacks(0.1, "2028-01");
  CHECK(better_share(text, 23) > 0.99);
  CHECK(better_share(text, 48) == Approx(0.1).margin(0.005));
}

TEST_CASE("in the default world, US closed use where it is not served stays within its leakage",
          "[availability][default]") {
  ScenarioOverrides o;
  o.developer_agents = 500'000;
  for (const char* world : {"default.toml", "policies/full_embargo.toml"}) {
    const Scenario s = load_scenario(test::world(world), o);
    const RunResult r = test::run(s);
    const int k = test::stack_index(s, "us_closed");
    int checked = 0;
    for (const StackAvailability& a : s.availability) {
      if (a.stack != k || !a.kinds[index_of(AgentKind::developer)]) continue;
      for (int c = 0; c < s.country_count(); ++c) {
        if (!a.targets.includes(c)) continue;
        // The share of the country's AI users on us_closed at the end: at most the share
        // that can reach it (a little above it where more started there, falling).
        const float none = r.share_at(s.steps, c, AgentKind::developer, *s.outside_stack());
        const double users = 1.0 - none;
        ++checked;
        if (users <= 0) continue;  // no AI users at all (North Korea)
        INFO(world << ": " << s.countries[c].id << ", leakage " << a.leakage);
        // Within sampling noise: a small country has few agents.
        const double n = users * double(r.agents[std::size_t(c) * agent_kind_count + index_of(AgentKind::developer)]);
        const double noise = 3.0 * std::sqrt(a.leakage * (1.0 - a.leakage) / n);
        CHECK(r.share_at(s.steps, c, AgentKind::developer, k) / users <= a.leakage + 0.01 + noise);
      }
    }
    CHECK(checked >= 11);  // CHN, HKG, MAC, RUS, BLR, CUB, IRN, SYR, VEN, AFG, PRK
  }
}

TEST_CASE("bad availability entries are refused with their key", "[availability][errors]") {
  // The new entry follows the default world's own.
  const std::string at = "availability[" + std::to_string(load_scenario(test::world("default.toml")).availability.size()) + "]";
  const auto refused = [&](const std::string& entry, const std::string& key) {
    test::TempScenario file("extends = \"" + test::world("default.toml") + "\"\n[[availability]]\n" + entry,
                            "bad-availability.toml");
    INFO(entry);
    try {
      load_scenario(file.path());
      FAIL("accepted");
    } catch (const std::exception& e) {
      CHECK_THAT(e.what(), Catch::Contains(key));
    }
  };
  refused("stack = \"us_closed\"\ntargets = [\"CHN\"]\nleakage = 1.5\n", at + ".leakage");
  refused("stack = \"none\"\ntargets = [\"CHN\"]\nleakage = 0.5\n", at + ".stack");
  refused("stack = \"eu_open\"\ntargets = [\"CHN\"]\nleakage = 0.5\n", at + ".stack");
  refused("stack = \"us_closed\"\ntargets = [\"XXX\"]\nleakage = 0.5\n", at + ".targets[0]");
  refused("stack = \"us_closed\"\ntargets = [\"CHN\"]\n", at + ".leakage");
  refused("stack = \"us_closed\"\ntargets = [\"CHN\"]\nleakage = 0.5\nkinds = [\"robot\"]\n",
          at + ".kinds[0]");
  refused("stack = \"us_closed\"\ntargets = [\"CHN\"]\nleakage = 0.5\nspeed = 1\n", at + ".speed");
}

TEST_CASE("no one starts on a stack no one of their kind can get", "[availability][initial]") {
  const Scenario s = load_scenario(test::world("default.toml"));
  const int china = test::country_index(s, "CHN"), closed = test::stack_index(s, "us_closed");
  const auto& government = s.countries[china].initial_share[index_of(AgentKind::country)];
  const auto& developers = s.countries[china].initial_share[index_of(AgentKind::developer)];
  // China's government cannot reach US closed services (leakage 0 for governments): its
  // share went to the other AI stacks; its developers reach them by leakage and keep theirs.
  CHECK(government[closed] == 0.0);
  CHECK(developers[closed] > 0.05);
  double total = 0;
  for (double x : government) total += x;
  CHECK(total == Approx(1.0));
}
