// Each policy moves shares in its own direction, composes with the others, and does
// nothing at all outside its window. All runs share seeds (common random numbers), so
// a difference is the policy's effect, not noise.
#include <catch2/catch.hpp>

#include <cmath>

#include <algorithm>
#include <climits>
#include <cstring>
#include <type_traits>
#include <variant>

#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

constexpr int none = 0, us_closed = 1, cn_open = 2;

struct Run {
  Scenario scenario;
  RunResult result;
  int country(const std::string& id) const { return test::country_index(scenario, id); }
  double share(int t, const std::string& id, AgentKind kind, int k) const {
    return result.share_at(t, country(id), kind, k);
  }
  double global(AgentKind kind, int k) const { return result.global_share_at(scenario.steps, kind, k); }
  // The world's firms of 10+ staff on stack k at the end, each country's size class
  // weighed by its real firms: the firms a policy moves most, without the noise of the
  // many micro firms the firm-count share rests on (MODEL.md 5.2).
  double firms_of_ten_or_more(int k) const {
    double on = 0, all = 0;
    for (int c = 0; c < scenario.country_count(); ++c)
      for (int size = small_size; size < firm_size_count; ++size) {
        const double share = result.size_share[result.size_cell(scenario.steps, c, size, k)];
        const double firms = scenario.countries[c].firms * scenario.countries[c].firm_size_share[size];
        if (std::isnan(share)) continue;
        on += firms * share, all += firms;
      }
    return on / all;
  }
  double capability(int t, int k) const { return result.capability[std::size_t(t) * scenario.stack_count() + k]; }
};

// The default world at a small size for 24 months, with `policies` (TOML) added.
Run run_with(const std::string& policies, int seed = 1) {
  test::TempScenario file("extends = \"" + test::world("default.toml") + "\"\n" + policies,
                          "policy-" + std::to_string(std::hash<std::string>{}(policies)) + ".toml");
  ScenarioOverrides o;
  o.developer_agents = 200'000;
  o.steps = 24;
  o.seed = seed;
  Scenario s = load_scenario(file.path(), o);
  RunResult r = test::run(s);
  return Run{std::move(s), std::move(r)};
}

const Run& baseline() {
  static const Run run = run_with("");
  return run;
}

}  // namespace

TEST_CASE("a ban drives the banned stack's share to zero where and for whom it applies", "[policies][ban]") {
  Run r = run_with(R"(
[[policies]]
type = "ban"
targets = ["DEU", "FRA"]
stack = "cn_open"
scope = "all"
start = "2026-04"
)");
  for (int t = 3; t <= r.scenario.steps; ++t)
    for (AgentKind kind : all_agent_kinds)
      for (const char* id : {"DEU", "FRA"}) REQUIRE(r.share(t, id, kind, cn_open) == 0.0f);
  CHECK(r.share(2, "DEU", AgentKind::developer, cn_open) > 0.0f);  // before the ban
  CHECK(r.share(24, "ITA", AgentKind::developer, cn_open) > 0.0f);  // not a target
}

TEST_CASE("a government-only ban touches governments and no one else", "[policies][ban]") {
  Run r = run_with(R"(
[[policies]]
type = "ban"
targets = ["CHN"]
stack = "cn_open"
scope = "government"
)");
  CHECK(r.share(24, "CHN", AgentKind::country, cn_open) == 0.0f);
  CHECK(r.share(24, "CHN", AgentKind::developer, cn_open) > 0.5f);
}

TEST_CASE("a tariff lowers the taxed stack's share", "[policies][tariff]") {
  Run r = run_with(R"(
[[policies]]
type = "tariff"
targets = ["all"]
stack = "cn_open"
rate = 1.0
)");
  CHECK(r.global(AgentKind::developer, cn_open) < baseline().global(AgentKind::developer, cn_open));
  CHECK(r.firms_of_ten_or_more(cn_open) < baseline().firms_of_ten_or_more(cn_open));
}

TEST_CASE("a subsidy raises the subsidised stack's share", "[policies][subsidy]") {
  Run r = run_with(R"(
[[policies]]
type = "subsidy"
targets = ["tier:2"]
stack = "us_closed"
price_share = 0.5
setup = 0.5
)");
  CHECK(r.global(AgentKind::developer, us_closed) > baseline().global(AgentKind::developer, us_closed));
  CHECK(r.global(AgentKind::firm, us_closed) > baseline().global(AgentKind::firm, us_closed));
}

TEST_CASE("an export control slows the controlled bloc and makes self-hosting dearer", "[policies][export_control]") {
  Run r = run_with(R"(
[[policies]]
type = "export_control"
targets = ["tier:3"]
access = "embargoed"
leakage = 0.1
compute_growth_cut = 0.8

[compute]
self_hosting_premium = 1.0
)");
  const int end = r.scenario.steps;
  // cn_open falls further behind the frontier ...
  CHECK(r.capability(end, cn_open) < baseline().capability(end, cn_open));
  // ... and is used less where self-hosting got dearer.
  CHECK(r.share(end, "RUS", AgentKind::developer, cn_open) < baseline().share(end, "RUS", AgentKind::developer, cn_open));
}

TEST_CASE("an accepted infrastructure bundle raises its stack's share", "[policies][bundle]") {
  Run r = run_with(R"(
[[policies]]
type = "infrastructure_bundle"
targets = ["alignment:none"]
stack = "cn_open"
offered_by = "cn"
build_months = 6
price_cut = 0.5
appeal = 1.0
lock_in = 1.0
accept_base = 5.0
)");
  CHECK(r.firms_of_ten_or_more(cn_open) > baseline().firms_of_ten_or_more(cn_open));
  CHECK(r.share(24, "IDN", AgentKind::developer, cn_open) > baseline().share(24, "IDN", AgentKind::developer, cn_open));
}

TEST_CASE("a bundle that every government declines changes nothing", "[policies][bundle]") {
  Run r = run_with(R"(
[[policies]]
type = "infrastructure_bundle"
targets = ["all"]
stack = "cn_open"
accept_base = -100.0
accept_alignment = 0.0
accept_government = 0.0
)");
  CHECK(std::memcmp(r.result.share.data(), baseline().result.share.data(), r.result.share.size() * sizeof(float)) == 0);
}

TEST_CASE("data localisation favours stacks whose data can stay home", "[policies][localisation]") {
  Run r = run_with(R"(
[[policies]]
type = "data_localisation"
targets = ["alignment:none"]
level = 2
)");
  // Over all the targeted countries' firms (one country's few firm agents move by single
  // agents either way): the closed foreign stack loses, the open one gains.
  CHECK(r.firms_of_ten_or_more(us_closed) < baseline().firms_of_ten_or_more(us_closed));
  CHECK(r.firms_of_ten_or_more(cn_open) > baseline().firms_of_ten_or_more(cn_open));
}

TEST_CASE("open-weight restrictions hold back the open stack", "[policies][open_weights]") {
  Run stop = run_with(R"(
[[policies]]
type = "open_weight_restriction"
bloc = "cn"
mode = "stop_release"
)");
  CHECK(stop.capability(24, cn_open) < baseline().capability(24, cn_open));
  CHECK(stop.global(AgentKind::developer, cn_open) < baseline().global(AgentKind::developer, cn_open));
  Run restrict = run_with(R"(
[[policies]]
type = "open_weight_restriction"
targets = ["tier:1"]
bloc = "cn"
mode = "restrict_use"
penalty = 1.0
)");
  CHECK(restrict.share(24, "DEU", AgentKind::firm, cn_open) <= baseline().share(24, "DEU", AgentKind::firm, cn_open));
  CHECK(restrict.global(AgentKind::developer, cn_open) < baseline().global(AgentKind::developer, cn_open));
}

TEST_CASE("policies compose: a ban still wins over a subsidy for the same stack", "[policies][compose]") {
  Run r = run_with(R"(
[[policies]]
type = "subsidy"
targets = ["JPN"]
stack = "cn_open"
price_share = 0.9
[[policies]]
type = "ban"
targets = ["JPN"]
stack = "cn_open"
[[policies]]
type = "tariff"
targets = ["all"]
stack = "us_closed"
rate = 0.5
)");
  CHECK(r.share(24, "JPN", AgentKind::developer, cn_open) == 0.0f);
  CHECK(r.global(AgentKind::developer, us_closed) < baseline().global(AgentKind::developer, us_closed));
}

TEST_CASE("a policy whose window lies outside the run changes nothing, bit for bit", "[policies][window]") {
  for (const char* window : {"start = \"2019-01\"\nend = \"2025-12\"", "start = \"2040-01\""}) {
    Run r = run_with(std::string(R"(
[[policies]]
type = "ban"
targets = ["all"]
stack = "cn_open"
)") + window + R"(
[[policies]]
type = "infrastructure_bundle"
targets = ["all"]
stack = "cn_open"
accept_base = 100.0
)" + window + "\n");
    INFO(window);
    CHECK(std::memcmp(r.result.share.data(), baseline().result.share.data(), r.result.share.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(r.result.global_share.data(), baseline().result.global_share.data(),
                      r.result.global_share.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("bad policy input is refused with its key", "[policies][errors]") {
  using Catch::Matchers::Contains;
  auto refuse = [](const std::string& policy, const std::string& message) {
    test::TempScenario file("extends = \"" + test::world("default.toml") + "\"\n[[policies]]\n" + policy, "bad-policy.toml");
    CHECK_THROWS_WITH(load_scenario(file.path()), Contains(message));
  };
  refuse("type = \"ban\"\ntargets = [\"XYZ\"]\nstack = \"cn_open\"\n", "policies[0].targets[0]: unknown target 'XYZ'");
  refuse("type = \"ban\"\ntargets = [\"all\"]\nstack = \"eu_open\"\n", "policies[0].stack: unknown stack 'eu_open'");
  refuse("type = \"tariff\"\ntargets = [\"all\"]\nstack = \"cn_open\"\nrate = 0.1\nstart = \"2027-01\"\nend = \"2026-06\"\n",
         "policies[0].end: the window ends");
  refuse("type = \"export_control\"\ntargets = [\"tier:2\"]\naccess = \"capped\"\ncap_h100e_per_year = -5\n",
         "policies[0].cap_h100e_per_year");
  refuse("type = \"ban\"\nstack = \"cn_open\"\n", "policies[0].targets: required key is missing");
  refuse("type = \"embargo\"\n", "policies[0].type: 'embargo' is not one of");
}

TEST_CASE("a policy read without its optional keys has its struct's defaults", "[policies][defaults]") {
  // One policy of each type with only its required keys: whatever the loader filled in
  // must be the struct's default member values (policies/ defines each default once).
  const Scenario s = load_scenario(std::string(STACKRACE_SOURCE_DIR) + "/tests/policies/required_keys_only.toml", {});
  REQUIRE(s.policies.size() == std::variant_size_v<Policy>);
  for (const Policy& read : s.policies) {
    INFO("policy type index " << read.index());
    std::visit(
        [&](const auto& p) {
          using P = std::decay_t<decltype(p)>;
          P expected;  // the defaults, with what the file gave (window, targets and required keys)
          expected.window = p.window;
          expected.targets = p.targets;
          if constexpr (requires { p.stack; }) expected.stack = p.stack;
          if constexpr (std::is_same_v<P, ExportControl>) expected.access = p.access;
          if constexpr (std::is_same_v<P, OpenWeightRestriction>) expected.mode = p.mode;
          if constexpr (std::is_same_v<P, Tariff> || std::is_same_v<P, RobotTariff>) {
            CHECK(p.rate == 0.25);
            expected.rate = p.rate;
          }
          CHECK(p == expected);
        },
        read);
  }
  // the one default that differed between struct (0) and loader (0.1), as documented
  CHECK(std::get<ExportControl>(s.policies.front()).leakage == 0.1);
}

TEST_CASE("a policy is reached by its id with --set, wherever the merged file puts it", "[policies][id]") {
  ScenarioOverrides o;
  o.set = {"policies.tier3_chips.leakage=0.33"};
  const Scenario s = load_scenario(test::world("policies/status_quo_2026.toml"), o);
  // Only the control in force since April 2025 (id tier3_chips, no end) changed; the
  // 2022 and 2023 rules keep their leakage.
  std::vector<double> open_ended, ended;
  for (const Policy& p : s.policies)
    if (auto* e = std::get_if<ExportControl>(&p)) (e->window.last == INT_MAX ? open_ended : ended).push_back(e->leakage);
  CHECK(open_ended == std::vector<double>{0.33});
  std::sort(ended.begin(), ended.end());
  CHECK(ended == std::vector<double>{0.35, 0.5});
  o.set = {"policies.no_such_policy.leakage=0.33"};
  CHECK_THROWS_WITH(load_scenario(test::world("policies/status_quo_2026.toml"), o),
                    Catch::Contains("no element 'no_such_policy'"));
}
