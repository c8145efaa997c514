#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include <tbb/global_control.h>

#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {
Scenario small_default(std::int64_t agents = 200'000, std::int64_t steps = 24) {
  ScenarioOverrides o;
  o.developer_agents = agents;
  o.steps = steps;
  return load_scenario(test::world("default.toml"), o);
}

RunResult run_with_threads(const Scenario& s, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  return test::run(s);
}
}  // namespace

TEST_CASE("the bench-meanfield world reaches the reference's final cn_open share", "[simulation]") {
  Scenario s = load_scenario(test::world("bench-meanfield.toml"));
  RunResult r = test::run(s);
  // bench/README.md: about 0.9897 at 1,000,000 agents, seed 1, within +-0.002.
  CHECK(r.global_share_at(s.steps, AgentKind::developer, 1) == Approx(0.9897).margin(0.002));
  CHECK(r.global_share_at(0, AgentKind::developer, 1) == Approx(0.1).margin(0.002));
}

TEST_CASE("results are bit-identical for any thread count", "[simulation][determinism]") {
  Scenario s = small_default();
  RunResult one = run_with_threads(s, 1);
  RunResult two = run_with_threads(s, 2);
  RunResult four = run_with_threads(s, 4);
  REQUIRE(one.share.size() == two.share.size());
  CHECK(std::memcmp(one.share.data(), two.share.data(), one.share.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(one.global_share.data(), two.global_share.data(), one.global_share.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(one.share.data(), four.share.data(), one.share.size() * sizeof(float)) == 0);
}

TEST_CASE("a different seed gives a different run", "[simulation][determinism]") {
  Scenario s = small_default();
  RunResult a = test::run(s);
  s.seed = 2;
  RunResult b = test::run(s);
  CHECK(std::memcmp(a.share.data(), b.share.data(), a.share.size() * sizeof(float)) != 0);
}

TEST_CASE("agents are conserved: every country's shares sum to 1 in every month", "[simulation]") {
  Scenario s = small_default(50'000, 36);
  RunResult r = test::run(s);
  std::int64_t developers = 0, firms = 0;
  for (int c = 0; c < s.country_count(); ++c) {
    CHECK(r.agents[c * agent_kind_count + index_of(AgentKind::country)] == 1);
    firms += r.agents[c * agent_kind_count + index_of(AgentKind::firm)];
    developers += r.agents[c * agent_kind_count + index_of(AgentKind::developer)];
  }
  CHECK(developers == s.developer_agents);
  CHECK(firms == s.firm_agents);
  for (int t = 0; t < r.times; ++t) {
    for (AgentKind kind : all_agent_kinds) {
      double global = 0;
      for (int k = 0; k < s.stack_count(); ++k) global += r.global_share_at(t, kind, k);
      REQUIRE(global == Approx(1.0).margin(1e-6));
      for (int c = 0; c < s.country_count(); ++c) {
        double sum = 0;
        for (int k = 0; k < s.stack_count(); ++k) sum += r.share_at(t, c, kind, k);
        REQUIRE(sum == Approx(1.0).margin(1e-6));
      }
    }
  }
}

TEST_CASE("with no one revising, nothing changes", "[simulation]") {
  ScenarioOverrides o;
  o.developer_agents = 20'000;
  // Nor does any government bar a rival's stack: a government barred from the stack it
  // uses must leave it, revising or not.
  o.set = {"choice.developer.revise=0", "choice.firm.revise=0", "choice.country.revise=0",
           "choice.country.rival_ban_rate=0"};
  for (const char* kind : {"developer", "firm", "country"}) {
    o.set.push_back(std::string("adoption.") + kind + ".innovation=0");
    o.set.push_back(std::string("adoption.") + kind + ".imitation=0");
  }
  Scenario s = load_scenario(test::world("default.toml"), o);
  RunResult r = test::run(s);
  for (int t = 1; t < r.times; ++t)
    for (int c = 0; c < s.country_count(); ++c)
      for (AgentKind kind : all_agent_kinds)
        for (int k = 0; k < s.stack_count(); ++k) REQUIRE(r.share_at(t, c, kind, k) == r.share_at(0, c, kind, k));
}

TEST_CASE("with everyone revising every month, shares reach the logit fixed point", "[simulation]") {
  // Without network effects or switching costs, an agent that always revises picks
  // stack k with the plain logit probability, so a country's share is that probability
  // up to sampling noise (1 / sqrt(agents)).
  ScenarioOverrides o;
  o.developer_agents = 1'000'000;
  o.steps = 3;
  o.set = {"choice.developer.revise=1", "choice.developer.country_share=0", "choice.developer.switching_cost=0"};
  Scenario s = load_scenario(test::world("bench-meanfield.toml"), o);
  RunResult r = test::run(s);
  double u0 = 5.0 * 1.0 - std::log(10.0), u1 = 5.0 * 0.92 - std::log(0.8);
  double expected = 1.0 / (1.0 + std::exp(u0 - u1));
  CHECK(r.global_share_at(3, AgentKind::developer, 1) == Approx(expected).margin(0.002));
}

TEST_CASE("setting the stop flag interrupts a run", "[simulation]") {
  const World world = build_world(small_default(10'000, 12));
  std::atomic<bool> stop{true};
  RunConfig config = first_run(world);
  config.stop = &stop;
  CHECK_THROWS_AS(simulate(world, config), RunInterrupted);
}

TEST_CASE("a vanishingly small revision rate is no revision, not an overflow", "[simulation]") {
  ScenarioOverrides o;
  o.developer_agents = 100'000;
  o.steps = 3;
  o.set = {"choice.developer.revise=1e-19"};
  Scenario s = load_scenario(test::world("bench-meanfield.toml"), o);
  RunResult r = test::run(s);
  CHECK(r.global_share_at(3, AgentKind::developer, 1) == r.global_share_at(0, AgentKind::developer, 1));
}
