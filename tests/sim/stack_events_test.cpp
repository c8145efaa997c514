// Dated events on the stacks (model/stack_events.hpp): in its month an event sets what it
// names of its stack — lag, capability or price — and the stack's own dynamics carry on
// from there; events outside the run change nothing at all.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

constexpr int us_closed = 1, cn_open = 2;
constexpr double frontier_growth = 0.0024;  // the default world's, a month

// The default world, small, for 24 months, with `events` (TOML) added; `set` overrides.
RunResult run_with(const std::string& events, std::vector<std::string> set = {}) {
  test::TempScenario file("extends = \"" + test::world("default.toml") + "\"\n" + events,
                          "events-" + std::to_string(std::hash<std::string>{}(events)) + ".toml");
  ScenarioOverrides o;
  o.developer_agents = 20'000;
  o.steps = 24;
  o.set = std::move(set);
  return test::run(load_scenario(file.path(), o));
}

double at(const std::vector<double>& series, int t, int k, int K = 4) { return series[std::size_t(t) * K + k]; }

}  // namespace

TEST_CASE("a price event sets the price in its month, and the stack's own decline goes on", "[events]") {
  // 2026-07 is month 6 of a run starting 2026-01.
  const RunResult r = run_with("[[events]]\ndate = \"2026-07\"\nstack = \"cn_open\"\nprice = 0.9\n");
  CHECK(at(r.price, 5, cn_open) == Approx(0.315 * std::pow(0.98, 5)));
  CHECK(at(r.price, 6, cn_open) == 0.9);
  CHECK(at(r.price, 7, cn_open) == Approx(0.9 * 0.98));
  CHECK(at(r.price, 7, us_closed) == Approx(3.4375 * std::pow(0.98, 7)));  // other stacks untouched
}

TEST_CASE("a lag event moves a follower's capability by the frontier's growth per month of lag", "[events]") {
  // With the loops that move lags off, the lag stays where the event puts it.
  const std::vector<std::string> frozen{"feedback.compute_lag=false", "feedback.deployment_data=false"};
  const RunResult r = run_with("[[events]]\ndate = \"2026-04\"\nstack = \"cn_open\"\nlag_months = 2\n", frozen);
  const auto gap = [&](int t) { return (at(r.capability, t, us_closed) - at(r.capability, t, cn_open)) / frontier_growth; };
  CHECK(gap(2) == Approx(7.0));
  CHECK(gap(3) == Approx(2.0));
  CHECK(gap(24) == Approx(2.0));
}

TEST_CASE("a capability event sets the score; a later one in the same month wins", "[events]") {
  const RunResult r = run_with(
      "[[events]]\ndate = \"2026-03\"\nstack = \"us_closed\"\ncapability = 1.2\n"
      "[[events]]\ndate = \"2026-03\"\nstack = \"us_closed\"\ncapability = 1.1\nprice = 5.0\n");
  CHECK(at(r.capability, 2, us_closed) == 1.1);
  CHECK(at(r.price, 2, us_closed) == 5.0);
  CHECK(at(r.capability, 3, us_closed) == Approx(1.1 + frontier_growth));
}

TEST_CASE("events outside the run change nothing, bit for bit", "[events]") {
  const RunResult none = run_with("");
  const RunResult outside = run_with(
      "[[events]]\ndate = \"2025-01\"\nstack = \"cn_open\"\nlag_months = 1\nname = \"before the start\"\n"
      "[[events]]\ndate = \"2026-01\"\nstack = \"cn_open\"\nprice = 9\nname = \"month 0: the start itself\"\n"
      "[[events]]\ndate = \"2031-01\"\nstack = \"cn_open\"\nprice = 9\nname = \"after the end\"\n");
  const auto same = [](const auto& x, const auto& y) {
    return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(x[0])) == 0;
  };
  CHECK(same(none.share, outside.share));
  CHECK(same(none.price, outside.price));
  CHECK(same(none.capability, outside.capability));
}
