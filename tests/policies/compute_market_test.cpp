// The compute beneath the stacks (model/compute_market.hpp): who meets each country's
// demand for accelerators under export controls, what self-hosting then costs, and the
// sign of a control's effect, which the world's inputs decide — the same policy pushes
// Tier 2 toward US APIs when Chinese accelerators are scarce and toward the Chinese
// stacks when they are plentiful.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "model/capacity.hpp"
#include "model/compute_market.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

using test::country_index;
using test::stack_index;

Scenario diffusion_rule(const std::vector<std::string>& set = {}) {
  ScenarioOverrides o;
  o.set = set;
  return load_scenario(test::world("policies/ai_diffusion_rule_2025.toml"), o);
}

// Chinese accelerators enough to fill every restricted demand, home and abroad.
const std::string plentiful = "compute.cn.accelerators_h100e_per_year=1e9";

}  // namespace

TEST_CASE("restricted demand is met by Chinese accelerators as far as their supply goes, home first",
          "[compute_market]") {
  for (const std::vector<std::string>& set : {std::vector<std::string>{}, std::vector<std::string>{plentiful}}) {
    const Scenario s = diffusion_rule(set);
    const ComputeAccess a = resolve_compute(s, nullptr, 12);
    INFO((set.empty() ? "scarce" : "plentiful"));
    for (int c = 0; c < s.country_count(); ++c) {
      // What US suppliers may not meet is met by Chinese accelerators or not at all.
      CHECK(a.chinese[c] + a.unmet[c] == Approx(a.restricted[c]).margin(1e-12));
      if (s.countries[c].export_control_tier == 1) CHECK(a.restricted[c] == 0.0);
      // Countries aligned with the US buy no Chinese accelerators.
      if (s.countries[c].alignment == Bloc::us) CHECK(a.chinese[c] == 0.0);
    }
    const int china = country_index(s, "CHN"), india = country_index(s, "IND");
    CHECK(a.restricted[china] == Approx(0.8));  // the embargo, less its leakage
    CHECK(a.restricted[india] > 0.5);           // the cap binds on a large Tier 2 country
    CHECK(a.home_fill >= a.abroad_fill);
  }
  const ComputeAccess scarce = resolve_compute(diffusion_rule(), nullptr, 12);
  const ComputeAccess ample = resolve_compute(diffusion_rule({plentiful}), nullptr, 12);
  // Today's Huawei output covers a fraction of China's own restricted demand, and the
  // little sold abroad a sliver of the rest.
  CHECK(scarce.home_fill < 0.5);
  CHECK(scarce.abroad_fill < 0.05);
  CHECK(ample.home_fill == 1.0);
  CHECK(ample.abroad_fill == 1.0);
  const int india = country_index(diffusion_rule(), "IND");
  CHECK(ample.unmet[india] == 0.0);
  CHECK(scarce.unmet[india] > 0.9 * scarce.restricted[india]);
}

TEST_CASE("unmet compute makes self-hosting dear; Chinese compute favours Chinese stacks", "[compute_market]") {
  const Scenario s = diffusion_rule();
  const int india = country_index(s, "IND");
  const int closed = stack_index(s, "us_closed"), cn = stack_index(s, "cn_open"), us_open = stack_index(s, "us_open");
  ComputeAccess a = resolve_compute(s, nullptr, 12);
  const auto prices = [&](const ComputeAccess& access) {
    StackEnvironment env(s.country_count(), s.stack_count());
    for (int k = 0; k < s.stack_count(); ++k) env.price_in(india, k) = 1.0;
    price_compute(s, access, env);
    return std::vector<double>{env.price_in(india, closed), env.price_in(india, cn), env.price_in(india, us_open)};
  };
  // All unmet: both open stacks cost the self-hosting premium more; the closed API nothing.
  a.unmet[india] = 1.0, a.chinese[india] = 0.0;
  std::vector<double> p = prices(a);
  CHECK(p[0] == 1.0);
  CHECK(p[1] == Approx(1.0 + s.compute.self_hosting_premium));
  CHECK(p[2] == Approx(1.0 + s.compute.self_hosting_premium));
  // All on Chinese accelerators: the Chinese stack is cheaper, the US open one dearer.
  a.unmet[india] = 0.0, a.chinese[india] = 1.0;
  p = prices(a);
  CHECK(p[0] == 1.0);
  CHECK(p[1] == Approx(1.0 - s.compute.chinese_cloud_discount));
  CHECK(p[2] == Approx(1.0 + s.compute.foreign_chip_premium));
}

TEST_CASE("capping Tier 2 moves it toward US APIs when Chinese supply binds, toward Chinese stacks when it does not",
          "[compute_market][sign]") {
  // The same two policy scenarios, run with common random numbers, in two worlds that
  // differ only in Chinese accelerator output.
  const auto tier2_shares = [](const std::string& world, const std::vector<std::string>& set) {
    ScenarioOverrides o;
    o.developer_agents = 300'000;
    o.steps = 60;
    o.set = set;
    const Scenario s = load_scenario(test::world(world), o);
    const RunResult r = test::run(s);
    // Developers on each stack across the Tier 2 countries not aligned with the US,
    // weighted by the developers each country has.
    std::vector<double> share(s.stack_count(), 0.0);
    double all = 0;
    for (int c = 0; c < s.country_count(); ++c) {
      const CountrySpec& country = s.countries[c];
      if (country.export_control_tier != 2 || country.alignment == Bloc::us) continue;
      for (int k = 0; k < s.stack_count(); ++k)
        share[k] += country.developers * r.share_at(s.steps, c, AgentKind::developer, k);
      all += country.developers;
    }
    for (double& x : share) x /= all;
    return share;
  };
  const Scenario s = diffusion_rule();
  const int closed = stack_index(s, "us_closed"), cn = stack_index(s, "cn_open");
  for (bool ample : {false, true}) {
    const std::vector<std::string> set = ample ? std::vector<std::string>{plentiful} : std::vector<std::string>{};
    const std::vector<double> base = tier2_shares("policies/no_controls.toml", set);
    const std::vector<double> capped = tier2_shares("policies/ai_diffusion_rule_2025.toml", set);
    INFO((ample ? "plentiful" : "scarce") << " Chinese supply: cn_open " << base[cn] << " -> " << capped[cn]
                                          << ", us_closed " << base[closed] << " -> " << capped[closed]);
    if (ample) {
      CHECK(capped[cn] > base[cn] + 0.002);
    } else {
      CHECK(capped[cn] < base[cn] - 0.002);
      CHECK(capped[closed] > base[closed] + 0.01);
    }
  }
}

TEST_CASE("a built bundle brings its bloc's compute and power", "[compute_market][bundle]") {
  test::TempScenario file("extends = \"" + test::world("policies/ai_diffusion_rule_2025.toml") + R"("
[[policies]]
type = "infrastructure_bundle"
targets = ["IND"]
stack = "cn_open"
offered_by = "cn"
accept_base = 100.0
build_months = 6
compute_share = 0.5
power_mw = 800
start = "2026-02"
)",
                          "bundle-compute.toml");
  ScenarioOverrides o;
  o.developer_agents = 20'000;
  o.steps = 12;
  const Scenario s = load_scenario(file.path(), o);
  const int india = country_index(s, "IND");
  PolicyState state;
  state.accepted_at.assign(s.policies.size(), std::vector<int>(s.country_count(), -1));
  const ComputeAccess before = resolve_compute(s, &state, 12), unbuilt = resolve_compute(s, &state, 7);
  for (std::size_t i = 0; i < s.policies.size(); ++i)
    if (std::holds_alternative<InfrastructureBundle>(s.policies[i])) state.accepted_at[i][india] = 2;
  CHECK(resolve_compute(s, &state, 7).chinese[india] == unbuilt.chinese[india]);  // not built yet
  const ComputeAccess after = resolve_compute(s, &state, 12);
  // Half the country's new compute: first what went unmet.
  CHECK(after.unmet[india] == Approx(std::max(0.0, before.unmet[india] - 0.5)));
  CHECK(after.chinese[india] == Approx(before.chinese[india] + 0.5));
  CHECK(after.extra_datacenter_mw[india] == 800.0);
}

TEST_CASE("a control holds back its restricted bloc by what goes unmet at that bloc's home", "[compute_market][bloc]") {
  // The Tier 3 embargo restricting the `us` bloc: the US bloc's home (the US-aligned
  // countries) is not targeted, so no bloc's compute is cut and, with the usage loop
  // off, cn_open's lag is the uncontrolled world's; restricting `cn` widens it.
  const auto cn_lag = [](const std::string& bloc) {
    test::TempScenario file("extends = \"" + test::world("policies/no_controls.toml") + "\"\n" +
                                (bloc.empty() ? std::string{}
                                              : "[[policies]]\ntype = \"export_control\"\ntargets = [\"tier:3\"]\n"
                                                "access = \"embargoed\"\nrestricted_bloc = \"" + bloc + "\"\n"),
                            "bloc-" + bloc + ".toml");
    ScenarioOverrides o;
    o.developer_agents = 20'000;
    o.steps = 36;
    o.set = {"feedback.deployment_data=false"};
    const Scenario s = load_scenario(file.path(), o);
    const RunResult r = test::run(s);
    const std::size_t K = std::size_t(s.stack_count());
    return (r.capability[36 * K + 1] - r.capability[36 * K + 2]) / 0.0024;
  };
  const double none = cn_lag("");
  CHECK(cn_lag("us") == none);
  CHECK(cn_lag("cn") > none + 0.1);
}

TEST_CASE("accelerator demand follows each country's data-centre build-out, up to its grid ceiling", "[compute]") {
  const Scenario s = load_scenario(test::world("default.toml"));
  const ComputeDynamics& k = s.compute;
  auto expected = [&](int c, int t) {
    return datacenter_power(k, s.countries[c], t) * k.h100e_per_mw * std::pow(1.0 + k.efficiency_growth, t) *
           k.yearly_additions;
  };
  for (const char* id : {"USA", "CHN", "IRL", "IND"})
    for (int t : {0, 60, 120}) {
      const int c = test::country_index(s, id);
      CHECK(accelerator_demand(s, c, t) == Approx(expected(c, t)).epsilon(1e-12));
    }
  // China's data centres grow at IEA's 18.1% a year; Ireland's, at its grid's ceiling from
  // the start, only with its electricity.
  const CountrySpec& china = s.countries[test::country_index(s, "CHN")];
  CHECK(datacenter_power(k, china, 12) == Approx(china.datacenter_mw * 1.181).epsilon(1e-12));
  const CountrySpec& ireland = s.countries[test::country_index(s, "IRL")];
  CHECK(datacenter_power(k, ireland, 12) < ireland.datacenter_mw * 1.03);
  CHECK(datacenter_power(k, ireland, 12) ==
        Approx(0.065 * ireland.electricity_gw * 1e3 * (1 + ireland.electricity_growth)).epsilon(1e-12));
}
