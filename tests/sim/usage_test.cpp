// Usage (MODEL.md 7.8b) and the other per-run outputs beside the adopter shares: tokens,
// usage shares, firms by sector, lag and bloc compute. Exact where the model gives
// exact values (the code defaults' analytic limit, one adopter's tokens, conservation of
// firms across sectors), direction where it gives direction.
#include <catch2/catch.hpp>

#include <cmath>

#include "agents/usage.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

// Two countries, three stacks (one cheap), firms in both sectors and sizes.
std::string usage_world(const std::string& usage) {
  return R"(
[scenario]
name = "usage"
steps = 24

[population]
developer_agents = 200_000
firm_agents = 200_000

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "dear"
bloc = "us"
capability = 1.0
price = 4.0
price_decline = 0.02

[[stacks]]
id = "cheap"
bloc = "cn"
open_weights = true
capability = 0.98
lag_months = 7
price = 0.25
price_decline = 0.01

[compute.us]
share = 0.75
growth = 0.05

[compute.cn]
share = 0.15
growth = 0.06

[[countries]]
id = "AAA"
developers = 1e6
firms = 3e5
physical_share = 0.4
initial_share = { none = 0.5, dear = 0.3, cheap = 0.2 }

[[countries]]
id = "BBB"
developers = 5e5
firms = 2e5
physical_share = 0.7
initial_share = { none = 0.6, dear = 0.1, cheap = 0.3 }
)" + usage;
}

Scenario load(const std::string& text) {
  test::TempScenario file(text);
  return load_scenario(file.path());
}

constexpr float tolerance = 2e-6f;  // float32 storage of shares computed in double

}  // namespace

TEST_CASE("with the code defaults, usage shares are the adopters' split over the AI stacks (firms': by staff)",
          "[usage]") {
  const Scenario s = load(usage_world(""));
  const RunResult r = test::run(s);
  for (int t : {0, 12, 24}) {
    for (AgentKind kind : {AgentKind::developer, AgentKind::country}) {
      const double adopted = 1.0 - r.global_share_at(t, kind, 0);
      CHECK(r.global_usage_share_at(t, kind, 0) == 0.0f);
      for (int k = 1; k < r.stacks; ++k)
        CHECK(r.global_usage_share_at(t, kind, k) == Approx(r.global_share_at(t, kind, k) / adopted).margin(tolerance));
    }
    // A firm's use follows its staff: the firms' split weighted by staff, size class by class.
    std::vector<double> staff_on(r.stacks, 0.0);
    for (int c = 0; c < r.countries; ++c)
      for (int size = 0; size < firm_size_count; ++size)
        for (int k = 1; k < r.stacks; ++k)
          staff_on[k] += s.countries[c].firms * s.countries[c].staff_share[size] * r.size_share[r.size_cell(t, c, size, k)];
    const double staff_adopted = staff_on[1] + staff_on[2];
    CHECK(r.global_usage_share_at(t, AgentKind::firm, 0) == 0.0f);
    for (int k = 1; k < r.stacks; ++k)
      CHECK(r.global_usage_share_at(t, AgentKind::firm, k) == Approx(staff_on[k] / staff_adopted).margin(tolerance));
  }
}

TEST_CASE("one developer's tokens follow T (1 + a)^t (p / p_ref)^-eta exactly", "[usage]") {
  const Scenario s = load(usage_world(R"(
[usage]
price_elasticity = 0.6
reference_price = 2.0
[usage.developer]
tokens_per_month = 1e6
growth = 0.04
)"));
  const World w = build_world(s);
  const RunResult r = simulate(w, first_run(w));
  const PopulationLayout& developers = w.population(AgentKind::developer);
  // Month 0: no compute market binds, so each country sees the stacks' own prices.
  for (int c = 0; c < 2; ++c)
    for (int k = 1; k < 3; ++k) {
      const double on = double(r.share_at(0, c, AgentKind::developer, k)) * double(developers.agents[c]);
      const double expected = developers.weight[c] * std::round(on) * 1e6 * std::pow(s.stacks[k].price / 2.0, -0.6);
      CHECK(r.tokens_at(0, c, AgentKind::developer, k) == Approx(expected).epsilon(1e-6));
    }
  CHECK(tokens_per_adopter(s.usage, AgentKind::developer, 2.0, 12) == Approx(1e6 * std::pow(1.04, 12)).epsilon(1e-12));
  CHECK(tokens_per_adopter(s.usage, AgentKind::developer, 0.5, 0) == Approx(1e6 * std::pow(4.0, 0.6)).epsilon(1e-12));
}

TEST_CASE("a cheaper stack carries more of the tokens than of the adopters, the more so the more elastic use is",
          "[usage]") {
  auto cheap_usage = [](double elasticity) {
    const RunResult r = test::run(load(usage_world("[usage]\nprice_elasticity = " + std::to_string(elasticity) + "\n")));
    return std::pair{r.global_usage_share_at(12, AgentKind::developer, 2),
                     r.global_share_at(12, AgentKind::developer, 2) / (1 - r.global_share_at(12, AgentKind::developer, 0))};
  };
  const auto [none, adopters] = cheap_usage(0.0);
  const auto [some, same_adopters] = cheap_usage(0.5);
  const auto [more, _] = cheap_usage(1.0);
  CHECK(none == Approx(adopters).margin(tolerance));
  CHECK(same_adopters == Approx(adopters).margin(tolerance));  // usage is an output: nobody chose differently
  CHECK(some > none);
  CHECK(more > some);
}

TEST_CASE("firm agents weigh their firms and staff exactly, at any number of them", "[usage]") {
  UsageRule rule;
  rule.physical_intensity = 0.5;
  CHECK(firm_segment_usage(rule, 7.0, micro_size) == 7.0);                     // virtual: the staff
  CHECK(firm_segment_usage(rule, 7.0, firm_size_count + micro_size) == 3.5);  // physical: at psi

  // In a run, at any number of firm agents: every firm on one stack at the reference price
  // uses T a month, so a country's firm tokens are its firms times T, sizes or not.
  for (const char* agents : {"20", "200_000"}) {
    test::TempScenario file(R"(
[scenario]
name = "staff"
steps = 1

[population]
developer_agents = 1000
firm_agents = )" + std::string(agents) + R"(

[[stacks]]
id = "only"
capability = 1.0
price = 2.0

[[stacks]]
id = "other"
capability = 1.0
price = 2.0

[choice.firm]
revise = 0.0

[usage]
reference_price = 2.0
[usage.firm]
tokens_per_month = 1e6

[[countries]]
id = "BIG"
developers = 1e5
firms = 9e5
initial_share = { only = 1.0 }

[[countries]]
id = "SMALL"
developers = 1e3
firms = 1e3
initial_share = { only = 1.0 }
)");
    const Scenario s = load_scenario(file.path());
    const World w = build_world(s);
    const PopulationLayout& firms = w.population(AgentKind::firm);
    INFO(agents << " firm agents");
    for (int c = 0; c < s.country_count(); ++c) {
      // Weighted, the agents count the country's firms, and their staff its staff.
      double agents_weighed = 0, staff_weighed = 0;
      for (int segment = 0; segment < firm_segments; ++segment) {
        const std::size_t g = std::size_t(c) * firm_segments + segment;
        const double n = firms.relative_weight_of(g) * double(firms.agents_per_group[g]);
        agents_weighed += n;
        staff_weighed += n * firms.staff_per_firm_of(g);
        // Firms are allotted by staff: a segment with agents has about its staff's share of them.
        if (std::string(agents) != "20" && c == 0)
          CHECK(double(firms.agents_per_group[g]) / double(firms.agents[c]) ==
                Approx(firm_segment_shares(s.countries[c].physical_share, s.countries[c].staff_share)[segment]).margin(1e-4));
      }
      CHECK(agents_weighed == Approx(double(firms.agents[c])).epsilon(1e-12));
      CHECK(staff_weighed == Approx(double(firms.agents[c])).epsilon(1e-12));
    }
    const RunResult r = simulate(w, first_run(w));
    CHECK(r.tokens_at(0, 0, AgentKind::firm, 0) == Approx(9e5 * 1e6).epsilon(1e-6));
    CHECK(r.tokens_at(0, 1, AgentKind::firm, 0) == Approx(1e3 * 1e6).epsilon(1e-6));
  }
}

TEST_CASE("firms by sector and by size add up to the country's firms, and the world's sectors to its firms", "[usage][sector]") {
  const Scenario s = load(usage_world(""));
  const World w = build_world(s);
  const RunResult r = simulate(w, first_run(w));
  const PopulationLayout& firms = w.population(AgentKind::firm);
  for (int t : {0, 24})
    for (int c = 0; c < 2; ++c) {
      // Each agent counted as the firms it stands for (PopulationLayout::relative_weight).
      std::array<double, sector_count> agents{};
      std::array<double, firm_size_count> by_size{};
      for (int segment = 0; segment < firm_segments; ++segment) {
        const std::size_t g = std::size_t(c) * firm_segments + segment;
        agents[sector_of(segment)] += firms.relative_weight_of(g) * double(firms.agents_per_group[g]);
        by_size[size_of(segment)] += firms.relative_weight_of(g) * double(firms.agents_per_group[g]);
      }
      for (int k = 0; k < r.stacks; ++k) {
        double on = 0, on_by_size = 0;
        for (int sector = 0; sector < sector_count; ++sector)
          on += agents[sector] * double(r.sector_share[r.sector_cell(t, c, sector, k)]);
        for (int size = 0; size < firm_size_count; ++size)
          if (by_size[size] > 0) on_by_size += by_size[size] * double(r.size_share[r.size_cell(t, c, size, k)]);
        CHECK(on == Approx(double(r.share_at(t, c, AgentKind::firm, k)) * double(firms.agents[c])).epsilon(1e-5));
        CHECK(on_by_size == Approx(on).epsilon(1e-5));
      }
    }
  // A physical-industry premium on open weights moves physical firms toward the open stack.
  const RunResult plain = test::run(load(usage_world("")));
  const RunResult premium = test::run(load(usage_world("[choice.firm]\nself_hosting = 2.0\n")));
  auto physical_cheap = [](const RunResult& run) { return run.global_sector_share[(std::size_t(24) * sector_count + 1) * run.stacks + 2]; };
  CHECK(physical_cheap(premium) > physical_cheap(plain) + 0.01f);
}

TEST_CASE("the file's lag and bloc compute are the stacks' own state", "[usage][lag]") {
  const RunResult r = test::run(load(usage_world("")));
  CHECK(r.lag[2] == 7.0);                       // cheap's lag at the start
  CHECK(r.lag[std::size_t(24) * r.stacks + 1] == 0.0);  // the leader
  CHECK(r.bloc_compute[0] == 0.75);  // us at the start
  CHECK(r.bloc_compute[1] == 0.15);  // cn
  // The cn bloc's compute grows faster, so its stack's lag closes (the compute loop, 7.2).
  CHECK(r.bloc_compute[std::size_t(24) * bloc_count + 1] / r.bloc_compute[std::size_t(24) * bloc_count] > 0.15 / 0.75);
  CHECK(r.lag[std::size_t(24) * r.stacks + 2] < 7.0);
}
