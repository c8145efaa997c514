#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/test_support.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/sweep_spec.hpp"

using namespace stackrace;
using Catch::Matchers::Contains;
using test::TempScenario;

namespace {
const char* minimal = R"(
[scenario]
name = "tiny"

[population]
developer_agents = 100

[[stacks]]
id = "a"
capability = 1.0
price = 2.0

[[stacks]]
id = "b"
capability = 0.5
price = 1.0

[[countries]]
id = "AAA"
developers = 10
firms = 1
initial_share = { a = 0.5, b = 0.5 }
)";
}  // namespace

TEST_CASE("the shipped worlds load", "[scenario]") {
  Scenario bench = load_scenario(test::world("bench-meanfield.toml"));
  CHECK(bench.name == "bench-meanfield");
  CHECK(bench.country_count() == 50);
  CHECK(bench.developer_agents == 1'000'000);
  CHECK(bench.stacks[1].id == "cn_open");
  CHECK(bench.weights(AgentKind::developer).switching_cost == 0.5);
  Scenario world = load_scenario(test::world("default.toml"));
  CHECK(world.name == "default");
  CHECK(world.firm_agents > 0);
}

TEST_CASE("every shipped policy scenario, what-if world and sweep loads", "[scenario]") {
  // A sweep's parameters are tried at their extremes on its base: a scenario change that
  // moves a key the sweep addresses (a policy by its index) refuses it here.
  int policies = 0, sweeps = 0;
  for (const char* folder : {"policies", "race"})
    for (const auto& entry : std::filesystem::directory_iterator(test::world(folder))) {
      if (entry.path().extension() != ".toml") continue;
      INFO(entry.path());
      CHECK_NOTHROW(load_scenario(entry.path().string()));
      ++policies;
    }
  for (const auto& entry : std::filesystem::directory_iterator(test::world("sweeps"))) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path());
    CHECK_NOTHROW(load_sweep(entry.path().string()));
    ++sweeps;
  }
  CHECK(policies >= 9);
  CHECK(sweeps >= 4);
}

TEST_CASE("missing optional keys get their defaults, written into the resolved text", "[scenario]") {
  TempScenario file(minimal);
  const ScenarioDocument document = read_scenario(file.path());
  const Scenario& s = document.scenario;
  CHECK(document.path == file.path());
  CHECK(s.steps == 120);
  CHECK(s.start == "2026-01");
  CHECK(s.seed == 1);
  CHECK(s.firm_agents == 0);
  CHECK(s.weights(AgentKind::firm).revise == 0.1);
  CHECK_THAT(document.resolved_toml, Contains("steps = 120"));
  CHECK_THAT(document.resolved_toml, Contains("switching_cost = 0.5"));
  // The resolved text is itself a valid scenario that resolves to itself.
  TempScenario again(document.resolved_toml, "resolved.toml");
  CHECK(read_scenario(again.path()).resolved_toml == document.resolved_toml);
}

TEST_CASE("overrides from the command line change the scenario and are checked like the file", "[scenario]") {
  TempScenario file(minimal);
  ScenarioOverrides o;
  o.set = {"stacks.1.price=0.25", "countries.AAA.developers=20", "choice.developer.revise=0.3", "scenario.name=renamed"};
  o.steps = 12;
  o.seed = 7;
  Scenario s = load_scenario(file.path(), o);
  CHECK(s.stacks[1].price == 0.25);
  CHECK(s.countries[0].developers == 20);
  CHECK(s.weights(AgentKind::developer).revise == 0.3);
  CHECK(s.name == "renamed");
  CHECK(s.steps == 12);
  CHECK(s.seed == 7);

  ScenarioOverrides bad;
  bad.set = {"choice.developer.revise=2"};
  CHECK_THROWS_WITH(load_scenario(file.path(), bad), Contains("--set choice.developer.revise=2") &&
                                                          Contains("choice.developer.revise") && Contains("out of range"));
  ScenarioOverrides unknown;
  unknown.set = {"population.colonists=3"};
  CHECK_THROWS_WITH(load_scenario(file.path(), unknown), Contains("population.colonists: unknown key"));
}

TEST_CASE("the --agents override scales firms with developers", "[scenario]") {
  ScenarioOverrides o;
  o.developer_agents = 2'000'000;
  Scenario s = load_scenario(test::world("default.toml"), o);
  CHECK(s.developer_agents == 2'000'000);
  CHECK(s.firm_agents == 200'000);
}

TEST_CASE("errors name the file, line, column and key", "[scenario]") {
  std::string text = minimal;
  text.replace(text.find("price = 2.0"), 11, "price = -2.0");
  TempScenario file(text);
  CHECK_THROWS_WITH(load_scenario(file.path()), Contains(file.path() + ":11:9: stacks[0].price:") && Contains("out of range"));
}

TEST_CASE("a population that cannot fit in memory is refused before anything is allocated", "[scenario]") {
  TempScenario file(minimal);
  ScenarioOverrides o;
  o.developer_agents = 900'000'000'000;
  o.memory_limit_bytes = 24e9;
  CHECK_THROWS_WITH(load_scenario(file.path(), o), Contains("population.developer_agents") && Contains("GB"));
}

TEST_CASE("a scenario extends another: tables merge, other values replace, policies append", "[scenario][extends]") {
  TempScenario base(minimal, "base.toml");
  std::string child_text = "extends = \"" + base.path() +
                           "\"\n[scenario]\nname = \"child\"\nsteps = 7\n[population]\nfirm_agents = 0\n"
                           "[choice.developer]\nrevise = 0.25\n";
  TempScenario child(child_text, "child.toml");
  const ScenarioDocument document = read_scenario(child.path());
  const Scenario& s = document.scenario;
  CHECK(s.name == "child");
  CHECK(s.steps == 7);
  CHECK(s.developer_agents == 100);  // from the base
  CHECK(s.stacks.size() == 2);       // from the base
  CHECK(s.weights(AgentKind::developer).revise == 0.25);
  CHECK_THAT(document.resolved_toml, !Contains("extends"));
}

TEST_CASE("errors in an extended scenario point at the file and line the key was written in", "[scenario][extends]") {
  std::string bad = minimal;
  bad.replace(bad.find("price = 2.0"), 11, "price = -2.0");
  TempScenario base(bad, "bad-base.toml");
  TempScenario child("extends = \"" + base.path() + "\"\n[scenario]\nsteps = 0\n", "child2.toml");
  CHECK_THROWS_WITH(load_scenario(child.path()), Contains(child.path() + ":3:9: scenario.steps"));
  TempScenario child_ok("extends = \"" + base.path() + "\"\n", "child3.toml");
  CHECK_THROWS_WITH(load_scenario(child_ok.path()), Contains(base.path() + ":11:9: stacks[0].price"));
  TempScenario loop("extends = \"stackrace-test-" + std::to_string(::getpid()) + "-loop.toml\"\n", "loop.toml");
  CHECK_THROWS_WITH(load_scenario(loop.path()), Contains("cycle"));
}

TEST_CASE("a scenario read once loads with overrides as its file does", "[scenario]") {
  // A calibration reads its scenario once and loads it per simulation: the same scenario,
  // even where a file it extends, in another folder, names the country table by a
  // relative path, and where an override changes what the table's rows give the countries.
  const std::string path = test::world("policies/status_quo_2026.toml");
  const auto text = read_scenario_text(path);
  ScenarioOverrides o;
  o.set = {"world.developer_adoption=0.3", "choice.developer.log_price=2"};
  o.developer_agents = 5000;
  const Scenario from_file = load_scenario(path, o), from_text = load_scenario(*text, o);
  REQUIRE(from_text.country_count() == from_file.country_count());
  CHECK(from_text.countries[7].initial_share == from_file.countries[7].initial_share);
  CHECK(from_text.weights(AgentKind::developer).log_price == 2.0);
  CHECK(from_text.developer_agents == 5000);
  CHECK(from_text.policies.size() == from_file.policies.size());
  // And the override changed what the file alone gives.
  CHECK(load_scenario(*text, {}).countries[7].initial_share != from_text.countries[7].initial_share);
  // A refused override names its key.
  ScenarioOverrides bad;
  bad.set = {"world.developer_adoption=2"};
  CHECK_THROWS_WITH(load_scenario(*text, bad), Contains("world.developer_adoption"));
}
