#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include "sim/cli/comparison.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

TEST_CASE("paired and Welch intervals match hand computations", "[comparison]") {
  // Differences 1, 2, 3: mean 2, sd 1, half-width t(2) / sqrt(3). The t quantile has a
  // closed form for 1 and 2 degrees of freedom: tan(0.475 pi) and 0.95 / sqrt(2 0.975 0.025);
  // the others are as scipy.stats.t.ppf(0.975, df) gives them, to 12 digits.
  const double t1 = std::tan(0.475 * M_PI), t2 = 0.95 / std::sqrt(2 * 0.975 * 0.025);
  ShareChange p = paired_change({0, 0, 0}, {1, 2, 3});
  CHECK(p.mean == Approx(2.0));
  CHECK(p.half_width() == Approx(t2 / std::sqrt(3.0)).epsilon(1e-12));
  // Equal variances 1 and sizes 3: se = sqrt(2/3), Welch df = 4.
  ShareChange w = independent_change({0, 1, 2}, {2, 3, 4});
  CHECK(w.mean == Approx(2.0));
  CHECK(w.half_width() == Approx(2.776445105198 * std::sqrt(2.0 / 3.0)).epsilon(1e-11));
  // Variances 1 and 10, sizes 3 and 5: a fractional Welch df (about 5.16), taken as it is.
  ShareChange u = independent_change({0, 1, 2}, {0, 2, 4, 6, 8});
  const double vb = 1.0 / 3, va = 10.0 / 5, df = (vb + va) * (vb + va) / (vb * vb / 2 + va * va / 4);
  CHECK(u.half_width() == Approx(t_975(df) * std::sqrt(vb + va)).epsilon(1e-12));
  CHECK(t_975(df) < t_975(std::floor(df)));  // not rounded down to a whole df
  CHECK(t_975(1) == Approx(t1).epsilon(1e-12));
  CHECK(t_975(1000) == Approx(1.962339080826).epsilon(1e-11));
}

TEST_CASE("common random numbers narrow the confidence interval of a policy's effect", "[comparison][crn]") {
  test::TempScenario tariff("extends = \"" + test::world("default.toml") +
                                "\"\n[[policies]]\ntype = \"tariff\"\ntargets = [\"all\"]\nstack = \"cn_open\"\nrate = 0.3\n",
                            "crn-tariff.toml");
  ScenarioOverrides o;
  o.developer_agents = 100'000;
  o.steps = 24;
  const World base = build_world(load_scenario(test::world("default.toml"), o));
  const World alt = build_world(load_scenario(tariff.path(), o));
  const int R = 8;
  std::vector<double> b, a_common, a_independent;
  auto firm_cn_open = [&](const World& world, std::uint64_t seed, int run) {
    return double(simulate(world, RunConfig{seed, run, {}, nullptr}).global_share_at(world.scenario.steps, AgentKind::firm, 2));
  };
  for (int i = 0; i < R; ++i) {
    b.push_back(firm_cn_open(base, 1 + i, i));
    a_common.push_back(firm_cn_open(alt, 1 + i, i));
    a_independent.push_back(firm_cn_open(alt, 1 + R + i, i));
  }
  const ShareChange crn = paired_change(b, a_common);
  const ShareChange independent = independent_change(b, a_independent);
  std::printf("CRN: firm cn_open change %+.4f, 95%% CI half-width %.5f with common random numbers, %.5f with independent "
              "seeds (%.1fx narrower)\n",
              crn.mean, crn.half_width(), independent.half_width(), independent.half_width() / crn.half_width());
  CHECK(crn.mean < 0);  // the tariff lowers the taxed stack's share
  CHECK(crn.half_width() < 0.5 * independent.half_width());
}
