// The calibrated default world against published stylized facts, one test per fact,
// each with its source (worlds/SOURCES.md gives the full citations).
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

constexpr int us_closed = 1, cn_open = 2, none = 0;

struct DefaultWorld {
  Scenario scenario;
  RunResult result;
};

const DefaultWorld& default_world() {
  static const DefaultWorld world = [] {
    ScenarioOverrides o;
    o.developer_agents = 500'000;
    o.steps = 12;  // through 2026
    Scenario s = load_scenario(test::world("default.toml"), o);
    RunResult r = test::run(s);
    return DefaultWorld{std::move(s), std::move(r)};
  }();
  return world;
}

std::int64_t agents(const DefaultWorld& w, int c, AgentKind kind) {
  return w.result.agents[std::size_t(c) * agent_kind_count + index_of(kind)];
}

// cn_open's share of a country's developers who use AI, at month t.
double cn_share_of_users(const DefaultWorld& w, int c, int t) {
  const double users = 1.0 - w.result.share_at(t, c, AgentKind::developer, none);
  return users > 0 ? w.result.share_at(t, c, AgentKind::developer, cn_open) / users : 0.0;
}

double mean_over_tier(const DefaultWorld& w, int tier, int t) {
  double sum = 0;
  int n = 0;
  for (int c = 0; c < w.scenario.country_count(); ++c) {
    if (w.scenario.countries[c].export_control_tier != tier || agents(w, c, AgentKind::developer) < 200) continue;
    sum += cn_share_of_users(w, c, t);
    ++n;
  }
  return sum / n;
}

std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = double(i);
  return r;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> rx = ranks(x), ry = ranks(y);
  const double n = double(x.size()), mean = (n - 1) / 2;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace

// Microsoft AI Economy Institute, "Global AI Adoption in 2025" (January 2026): DeepSeek
// holds about 89% of AI users in China, 43% in Russia, and little in North America and
// Europe; the January 2025 AI-diffusion rule puts China and the embargoed countries in
// Tier 3 and the closest US partners in Tier 1.
TEST_CASE("cn_open's share of AI users is highest in China and under the strictest controls, low in Tier 1",
          "[facts]") {
  const DefaultWorld& w = default_world();
  const int end = w.scenario.steps;
  int china = -1, top = -1;
  for (int c = 0; c < w.scenario.country_count(); ++c) {
    if (w.scenario.countries[c].id == "CHN") china = c;
    if (agents(w, c, AgentKind::developer) < 2000) continue;  // too few agents to rank reliably
    if (top < 0 || cn_share_of_users(w, c, end) > cn_share_of_users(w, top, end)) top = c;
  }
  CHECK(w.scenario.countries[top].id == "CHN");
  CHECK(cn_share_of_users(w, china, end) > 0.8);
  const double tier1 = mean_over_tier(w, 1, end), tier2 = mean_over_tier(w, 2, end), tier3 = mean_over_tier(w, 3, end);
  CHECK(tier3 > tier2);
  CHECK(tier2 > tier1);
  CHECK(tier1 < 0.1);
}

// Microsoft AI Economy Institute (January 2026): AI use rises with income per head
// (its country shares against GDP per head; see worlds/data/SOURCES-countries.md).
TEST_CASE("adoption rises with income", "[facts]") {
  const DefaultWorld& w = default_world();
  for (AgentKind kind : {AgentKind::firm, AgentKind::developer}) {
    std::vector<double> income, adoption;
    for (int c = 0; c < w.scenario.country_count(); ++c) {
      if (agents(w, c, kind) < 50) continue;
      income.push_back(w.scenario.countries[c].gdp_per_capita);
      adoption.push_back(1.0 - w.result.share_at(w.scenario.steps, c, kind, none));
    }
    INFO(agent_kind_name(kind) << " in " << income.size() << " countries");
    CHECK(spearman(income, adoption) > 0.5);
  }
}

// OpenRouter & a16z, "State of AI" (December 2025): Chinese open-weight models rose from
// about 1-2% of tokens in late 2024 to about 13% on average in 2025, peaking near 30%.
TEST_CASE("the developer share of the Chinese open-weight stack grows through 2026", "[facts]") {
  const DefaultWorld& w = default_world();
  double previous = w.result.global_share_at(0, AgentKind::developer, cn_open);
  for (int quarter = 1; quarter <= 4; ++quarter) {
    const double now = w.result.global_share_at(3 * quarter, AgentKind::developer, cn_open);
    INFO("quarter " << quarter);
    CHECK(now > previous);
    previous = now;
  }
  CHECK(previous - w.result.global_share_at(0, AgentKind::developer, cn_open) > 0.01);
  CHECK(w.result.global_share_at(0, AgentKind::developer, us_closed) > 0.5);
}
