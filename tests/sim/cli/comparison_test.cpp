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

TEST_CASE("intervals follow one set of rules at the edges", "[comparison]") {
  const double nan = std::nan("");
  SECTION("one pair or one run: the change, and no interval") {
    ShareChange p = paired_change({0.25}, {0.5});
    CHECK(p.mean == 0.25);
    CHECK(p.n == 1);
    CHECK(std::isnan(p.low));
    CHECK(std::isnan(p.high));
    ShareChange w = independent_change({0.25}, {0.5, 0.75});
    CHECK(w.mean == Approx(0.375));
    CHECK(w.n == 1);
    CHECK((std::isnan(w.low) && std::isnan(w.high)));
  }
  SECTION("no spread: zero width, not an infinite or undefined interval") {
    ShareChange p = paired_change({0.25, 0.5, 0.75}, {0.5, 0.75, 1.0});  // every difference 0.25
    CHECK(p.mean == 0.25);
    CHECK(p.low == p.mean);
    CHECK(p.high == p.mean);
    ShareChange w = independent_change({0.5, 0.5, 0.5}, {0.75, 0.75});  // both arms constant
    CHECK(w.mean == 0.25);
    CHECK(w.low == 0.25);
    CHECK(w.high == 0.25);
    CHECK(w.n == 2);
    // One arm constant: Welch's df are the other arm's n - 1.
    ShareChange u = independent_change({0.5, 0.5, 0.5}, {0, 1, 2});
    CHECK(u.half_width() == Approx(t_975(2) * std::sqrt(1.0 / 3)).epsilon(1e-12));
  }
  SECTION("NaN values (no agents of the kind) are left out") {
    ShareChange p = paired_change({nan, 0, 0, 0}, {5, 1, 2, 3});
    CHECK(p.n == 3);
    CHECK(p.mean == Approx(2.0));
    CHECK(p.half_width() == Approx(t_975(2) / std::sqrt(3.0)).epsilon(1e-12));
    ShareChange w = independent_change({0, 1, 2, nan}, {2, nan, 3, 4});
    CHECK(w.n == 3);
    CHECK(w.half_width() == Approx(independent_change({0, 1, 2}, {2, 3, 4}).half_width()));
    ShareChange none = paired_change({nan, nan}, {nan, nan});
    CHECK(none.n == 0);
    CHECK((std::isnan(none.mean) && std::isnan(none.low) && std::isnan(none.high)));
    CHECK(std::isnan(independent_change({nan}, {1, 2}).mean));
  }
  SECTION("other levels") {
    ShareChange p90 = paired_change({0, 0, 0}, {1, 2, 3}, 0.9);
    CHECK(p90.half_width() == Approx(t_quantile(0.95, 2) / std::sqrt(3.0)).epsilon(1e-12));
    CHECK(p90.half_width() < paired_change({0, 0, 0}, {1, 2, 3}).half_width());
    CHECK(std::isnan(t_quantile(0.975, 0)));
    CHECK(std::isnan(t_quantile(1.0, 3)));
  }
}

TEST_CASE("changes print in percentage points, n/a where undefined", "[comparison]") {
  CHECK(format_change({0.0123, 0.0098, 0.0148, 5}) == " +1.23 pp [ +0.98,  +1.48]");
  CHECK(format_change({-0.5, -0.75, -0.25, 5}) == "-50.00 pp [-75.00, -25.00]");
  const double nan = std::nan("");
  CHECK(format_change({0.25, nan, nan, 1}) == "+25.00 pp [   n/a,    n/a]");
  CHECK(format_change({nan, nan, nan, 0}) == "   n/a pp [   n/a,    n/a]");
  CHECK(level_text(0.95) == "95%");
  CHECK(level_text(0.999) == "99.9%");
}

TEST_CASE("compare_effects computes every cell of the file's layout", "[comparison]") {
  // 2 months, 3 countries, 2 stacks; 3 replicates per arm. Every share is a function of
  // its cell and replicate, so that each cell's effect is known.
  const int T = 2, C = 3, K = 2, R = 3;
  auto share = [](int arm, int i, int t, int c, int kind, int k) {
    return float(0.01 * (t + 2 * c + 7 * kind + 3 * k) + arm * 0.001 * (c + 1) * (i + 1) + 0.0001 * i * i);
  };
  std::vector<RunResult> arms[2];
  for (int arm = 0; arm < 2; ++arm)
    for (int i = 0; i < R; ++i) {
      RunResult r(T, C, K);
      for (int t = 0; t < T; ++t)
        for (AgentKind kind : all_agent_kinds)
          for (int k = 0; k < K; ++k) {
            r.global_share_at(t, kind, k) = share(arm, i, t, 9, index_of(kind), k);
            for (int c = 0; c < C; ++c) r.share_at(t, c, kind, k) = share(arm, i, t, c, index_of(kind), k);
          }
      // Country 2 has no firm agents in either arm: NaN shares.
      for (int t = 0; t < T; ++t)
        for (int k = 0; k < K; ++k) r.share_at(t, 2, AgentKind::firm, k) = NAN;
      arms[arm].push_back(std::move(r));
    }
  for (Interval interval : {Interval::paired, Interval::welch}) {
    const Effects e = compare_effects(arms[0], arms[1], interval, 0.9);
    CHECK(e.local.mean.size() == std::size_t(T * C * agent_kind_count * K));
    CHECK(e.global.mean.size() == std::size_t(T * agent_kind_count * K));
    auto expected = [&](auto value_of) {
      std::vector<double> b, a;
      for (int i = 0; i < R; ++i) b.push_back(value_of(arms[0][i])), a.push_back(value_of(arms[1][i]));
      return interval == Interval::paired ? paired_change(b, a, 0.9) : independent_change(b, a, 0.9);
    };
    for (int t = 0; t < T; ++t)
      for (AgentKind kind : all_agent_kinds)
        for (int k = 0; k < K; ++k) {
          const ShareChange g = e.global_at(t, kind, k);
          const ShareChange want = expected([&](const RunResult& r) { return double(r.global_share_at(t, kind, k)); });
          CHECK(g.mean == want.mean);
          CHECK(g.low == want.low);
          CHECK(g.n == R);
          for (int c = 0; c < C; ++c) {
            const ShareChange x = e.at(t, c, kind, k);
            const ShareChange w = expected([&](const RunResult& r) { return double(r.share_at(t, c, kind, k)); });
            if (c == 2 && kind == AgentKind::firm) {
              CHECK(std::isnan(x.mean));
              CHECK(x.n == 0);
              continue;
            }
            CHECK(x.mean == w.mean);
            CHECK(x.low == w.low);
            CHECK(x.high == w.high);
            CHECK(x.low < x.mean);
            CHECK(x.n == R);
          }
        }
    // The layout is the file's: (time, country, kind, stack), stack fastest.
    const std::size_t cell = ((std::size_t(1) * C + 2) * agent_kind_count + index_of(AgentKind::developer)) * K + 1;
    CHECK(e.local.mean[cell] == e.at(1, 2, AgentKind::developer, 1).mean);
  }
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
  // Developers: 100,000 agents, where firms' shares, weighted toward the few micro-firm
  // agents, are noisier than a tariff's small effect on them over two years.
  auto developer_cn_open = [&](const World& world, std::uint64_t seed, int run) {
    return double(simulate(world, RunConfig{seed, run, {}, nullptr}).global_share_at(world.scenario.steps, AgentKind::developer, 2));
  };
  for (int i = 0; i < R; ++i) {
    b.push_back(developer_cn_open(base, 1 + i, i));
    a_common.push_back(developer_cn_open(alt, 1 + i, i));
    a_independent.push_back(developer_cn_open(alt, 1 + R + i, i));
  }
  const ShareChange crn = paired_change(b, a_common);
  const ShareChange independent = independent_change(b, a_independent);
  std::printf("CRN: developer cn_open change %+.4f, 95%% CI half-width %.5f with common random numbers, %.5f with independent "
              "seeds (%.1fx narrower)\n",
              crn.mean, crn.half_width(), independent.half_width(), independent.half_width() / crn.half_width());
  CHECK(crn.mean < 0);  // the tariff lowers the taxed stack's share
  CHECK(crn.half_width() < 0.5 * independent.half_width());
}
