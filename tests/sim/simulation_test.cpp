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

// Bit for bit: every aggregate of a run, NaNs' bits included.
bool bit_identical(const RunResult& a, const RunResult& b) {
  auto same = [](const auto& x, const auto& y) {
    return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(x[0])) == 0;
  };
  return same(a.share, b.share) && same(a.global_share, b.global_share) && same(a.capability, b.capability) &&
         same(a.price, b.price) && same(a.chinese_compute, b.chinese_compute) &&
         same(a.unmet_compute, b.unmet_compute) && same(a.government_ban_month, b.government_ban_month);
}

TEST_CASE("results are bit-identical for any thread count", "[simulation][determinism]") {
  for (const Scenario& s : {small_default(300'000, 24), load_scenario(test::world("bench-meanfield.toml"), [] {
                              ScenarioOverrides o;
                              o.developer_agents = 300'000;
                              o.steps = 24;
                              return o;
                            }())}) {
    INFO(s.name);
    const RunResult one = run_with_threads(s, 1);
    CHECK(bit_identical(one, run_with_threads(s, 2)));
    CHECK(bit_identical(one, run_with_threads(s, 3)));
    CHECK(bit_identical(one, run_with_threads(s, 4)));
  }
}

TEST_CASE("a different seed gives a different run, in every month", "[simulation][determinism]") {
  Scenario s = small_default();
  const RunResult a = test::run(s);
  s.seed = 2;
  const RunResult b = test::run(s);
  // The starting stacks are drawn from the streams too: month 0 differs as well.
  for (int t = 0; t < a.times; ++t) {
    const std::size_t month = std::size_t(a.countries) * a.stacks;  // one kind's shares of a month
    const auto at = [&](const RunResult& r) { return &r.share[std::size_t(index_of(AgentKind::developer)) * a.times * month + t * month]; };
    INFO("month " << t);
    CHECK(std::memcmp(at(a), at(b), month * sizeof(float)) != 0);
  }
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
