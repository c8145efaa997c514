// The model against what it must reproduce exactly (analytic limits) and what it must
// respect in direction (monotonicity), on small populations that run in a moment.
#include <catch2/catch.hpp>

#include <cmath>

#include "agents/adoption.hpp"
#include "model/regime.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

// One country, the outside option and one AI stack, no switching back: the Bass model.
const char* bass_world = R"(
[scenario]
name = "bass"
steps = 60

[population]
developer_agents = 10_000_000

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "ai"
capability = 1.0
price = 1.0

[adoption.developer]
innovation = 0.01
imitation = 0.2
abandon = 0.0

[[countries]]
id = "ONE"
developers = 1.0
initial_share = { none = 1.0 }
)";

double developer_share(const RunResult& r, int t, int k) { return r.global_share_at(t, AgentKind::developer, k); }

}  // namespace

TEST_CASE("the monthly Bass hazard reproduces the closed-form curve exactly in the mean field", "[model][bass]") {
  const double p = 0.01, q = 0.2;
  double adopted = 0;
  for (int t = 1; t <= 120; ++t) {
    adopted += (1 - adopted) * bass_monthly_hazard(p, q, adopted);
    REQUIRE(adopted == Approx(bass_curve(p, q, t)).epsilon(1e-9));
  }
  CHECK(bass_monthly_hazard(p, 0.0, 0.3) == Approx(1 - std::exp(-p)).epsilon(1e-12));
  CHECK(bass_monthly_hazard(0.0, 0.0, 0.3) == 0.0);
}

TEST_CASE("a large population adopts along the Bass curve within 1% at every month", "[model][bass]") {
  test::TempScenario file(bass_world);
  Scenario s = load_scenario(file.path());
  RunResult r = test::run(s);
  for (int t = 1; t <= s.steps; ++t) {
    const double expected = bass_curve(0.01, 0.2, t);
    INFO("month " << t);
    REQUIRE(1.0 - developer_share(r, t, 0) == Approx(expected).epsilon(0.01));
  }
}

namespace {
// Global developer share of cn_open at the end, summed over replicate seeds (common
// random numbers: the same seeds for both arms).
double cn_open_share(std::vector<std::string> set, int replicates = 4) {
  double total = 0;
  for (int seed = 1; seed <= replicates; ++seed) {
    ScenarioOverrides o;
    o.developer_agents = 100'000;
    o.steps = 24;
    o.seed = seed;
    o.set = set;
    Scenario s = load_scenario(test::world("default.toml"), o);
    RunResult r = test::run(s);
    total += r.global_share_at(s.steps, AgentKind::developer, 2) + r.global_share_at(s.steps, AgentKind::firm, 2);
  }
  return total / replicates;
}
}  // namespace

TEST_CASE("a cheaper stack never loses share", "[model][monotonicity]") {
  const double base = cn_open_share({});
  const double cheaper = cn_open_share({"stacks.cn_open.price=0.2"});
  const double cheapest = cn_open_share({"stacks.cn_open.price=0.1"});
  CHECK(cheaper > base);
  CHECK(cheapest > cheaper);
}

TEST_CASE("a more capable stack never loses share", "[model][monotonicity]") {
  const double base = cn_open_share({});
  const double better = cn_open_share({"stacks.cn_open.capability=0.995"});
  const double worse = cn_open_share({"stacks.cn_open.capability=0.97"});
  CHECK(better > base);
  CHECK(worse < base);
}

namespace {
// cn_open's lag behind us_closed, in months, at month t of a small default-world run.
double cn_lag(std::vector<std::string> set, int t = 60) {
  ScenarioOverrides o;
  o.developer_agents = 50'000;
  o.steps = t;
  o.set = set;
  Scenario s = load_scenario(test::world("default.toml"), o);
  RunResult r = test::run(s);
  const std::size_t K = std::size_t(s.stack_count());
  return (r.capability[std::size_t(t) * K + 1] - r.capability[std::size_t(t) * K + 2]) / 0.0024;
}
}  // namespace

TEST_CASE("each feedback loop on the stacks moves the lag its own way, and switches off", "[model][feedback]") {
  const double all_on = cn_lag({});
  const double all_off = cn_lag({"feedback.compute_lag=false", "feedback.deployment_data=false", "feedback.energy_limits=false"});
  CHECK(all_off == Approx(7.0).epsilon(1e-9));  // nothing moves the lag
  // Usage alone (compute loop off) closes the lag: the follower keeps pace and learns from use.
  CHECK(cn_lag({"feedback.compute_lag=false", "feedback.energy_limits=false"}) < 7.0);
  // China's faster power build-out relative to its compute lets it catch up under energy limits.
  const double no_energy = cn_lag({"feedback.energy_limits=false"});
  CHECK(all_on < no_energy);
  // Fewer Chinese chips (less spending, or, without capital, slower growth) widen the lag
  // when power does not bind.
  CHECK(cn_lag({"feedback.energy_limits=false", "compute.cn.investment_usd_per_year=4e10"}) > no_energy);
  CHECK(cn_lag({"feedback.energy_limits=false", "feedback.capital=false", "compute.cn.growth=0.03"}) >
        cn_lag({"feedback.energy_limits=false", "feedback.capital=false"}));
}

TEST_CASE("a follower in the leader's bloc keeps its lag: it has the leader's compute", "[model][feedback]") {
  ScenarioOverrides o;
  o.developer_agents = 50'000;
  o.steps = 60;
  const Scenario s = load_scenario(test::world("default.toml"), o);
  const RunResult r = test::run(s);
  const std::size_t K = std::size_t(s.stack_count());
  const int us_open = test::stack_index(s, "us_open");
  for (int t : {0, 12, 60})
    CHECK((r.capability[t * K + 1] - r.capability[t * K + std::size_t(us_open)]) / 0.0024 == Approx(9.0).epsilon(1e-9));
}

TEST_CASE("governments aligned against a stack's bloc may bar it from their own use", "[model][regime]") {
  CHECK(rival_ban_probability(0.5, Bloc::us, Bloc::cn, 0.1) == Approx(0.05));
  CHECK(rival_ban_probability(0.5, Bloc::none, Bloc::cn, 0.1) == 0.0);  // non-aligned: no rival
  CHECK(rival_ban_probability(0.5, Bloc::cn, Bloc::cn, 0.9) == 0.0);    // its own camp's stack
  CHECK(rival_ban_probability(100, Bloc::us, Bloc::cn, 0.5) == 1.0);

  ScenarioOverrides o;
  o.developer_agents = 100'000;
  o.steps = 6;
  o.set = {"choice.country.rival_ban_rate=100"};
  Scenario s = load_scenario(test::world("default.toml"), o);
  RunResult r = test::run(s);
  int us_aligned_barred = 0;
  for (int c = 0; c < s.country_count(); ++c) {
    const std::int64_t month = r.government_ban_month[std::size_t(c) * s.stack_count() + 2];
    if (s.countries[c].alignment != Bloc::us) {
      CHECK(month == -1);
      continue;
    }
    // Certain as soon as any of its developers uses cn_open, which all of them do at the start.
    if (r.share_at(0, c, AgentKind::developer, 2) > 0) {
      CHECK(month == 1);
      CHECK(r.share_at(6, c, AgentKind::country, 2) == 0.0f);
      ++us_aligned_barred;
    }
    CHECK(r.government_ban_month[std::size_t(c) * s.stack_count() + 1] == -1);  // never its own camp's stack
  }
  CHECK(us_aligned_barred > 30);
}

TEST_CASE("with lag pricing, a follower that falls behind sells an older, cheaper capability", "[model][prices]") {
  const auto prices = [](std::vector<std::string> set) {
    ScenarioOverrides o;
    o.developer_agents = 20'000;
    o.steps = 60;
    o.set = std::move(set);
    const Scenario s = load_scenario(test::world("policies/full_embargo.toml"), o);
    const RunResult r = test::run(s);
    const std::size_t K = std::size_t(s.stack_count());
    return std::pair{r.price[60 * K + 2], (r.capability[60 * K + 1] - r.capability[60 * K + 2]) / 0.0024};
  };
  // Without the usage loop, prices cannot move the lag (through who uses the stack).
  const auto [own_path, lag] = prices({"feedback.deployment_data=false"});
  const auto [lag_priced, same_lag] = prices({"feedback.deployment_data=false", "feedback.lag_pricing=true"});
  CHECK(same_lag == Approx(lag).epsilon(1e-12));
  // The embargo widened cn_open's lag from 7 months: its price fell by the ratio of the
  // two paths for each month more.
  const double ratio = (1.0 - 0.175) / (1.0 - 0.02);
  CHECK(lag > 7.5);
  CHECK(lag_priced == Approx(own_path * std::pow(ratio, lag - 7.0)).epsilon(1e-9));
  // A lag that does not move leaves the price on its own path.
  const std::vector<std::string> frozen{"feedback.compute_lag=false", "feedback.deployment_data=false"};
  std::vector<std::string> frozen_priced = frozen;
  frozen_priced.push_back("feedback.lag_pricing=true");
  CHECK(prices(frozen).first == prices(frozen_priced).first);
}
