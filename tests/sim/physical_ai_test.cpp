// Physical AI (MODEL.md 7.2c; model/robots.hpp): the makers' shares of new robots, the
// installed base they build up, and what physical firms see of it. Exact: the shares'
// closed form, the installed base's recursion, embodiment; direction: robots pull
// physical firms (and only them) toward the open stacks their makers ship, a tariff on a
// bloc's robots lowers that pull; switched off, nothing of it is seen.
#include <catch2/catch.hpp>

#include <cmath>

#include "model/robots.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

// One robot-dense country with Chinese makers at home, one other; a US closed stack and
// two open ones, one per bloc.
std::string robot_world(const std::string& extra) {
  return R"(
[scenario]
name = "robots"
start = "2026-01"
steps = 60

[population]
developer_agents = 100_000
firm_agents = 400_000

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "closed"
bloc = "us"
capability = 1.0
price = 2.0

[[stacks]]
id = "cn_weights"
bloc = "cn"
open_weights = true
capability = 0.98
price = 0.5

[[stacks]]
id = "us_weights"
bloc = "us"
open_weights = true
capability = 0.97
price = 0.6

[compute.us]
share = 0.75

[compute.cn]
share = 0.25

[choice.firm]
calibrate = true
robot_bundle = 1.5

[adoption.firm]
innovation = 0.02
imitation = 0.1

[robots]
counted = "2025-01"
reference_density = 100
stock_growth = 0.1
installation_rate = 0.16
tariff_elasticity = 2.0

[robots.cn]
home = ["CNX"]
home_share = 0.6
abroad_share = 0.1
odds_growth = 0.3

[robots.us]
home_share = 0.0
abroad_share = 0.0

[robots.other]
ships = "us"

[[countries]]
id = "CNX"
developers = 1e6
firms = 5e5
physical_share = 0.5
robot_density = 300
initial_share = { none = 0.6, closed = 0.1, cn_weights = 0.2, us_weights = 0.1 }

[[countries]]
id = "ELS"
developers = 1e6
firms = 5e5
physical_share = 0.5
robot_density = 100
initial_share = { none = 0.6, closed = 0.2, cn_weights = 0.1, us_weights = 0.1 }
)" + extra;
}

Scenario load(const std::string& text) {
  test::TempScenario file(text);
  return load_scenario(file.path());
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1.0 - p)); }

// The share of a country's physical (or virtual) firms on stack k at the end of a run.
double sector_share_at_end(const RunResult& r, int c, int sector, int k) {
  return r.sector_share[r.sector_cell(r.times - 1, c, sector, k)];
}

constexpr int cnx = 0, els = 1, cn = 1, other = 2;  // countries; robot blocs (us 0, cn 1, other 2)
constexpr int physical = 1, virtual_sector = 0;
constexpr int closed = 1, cn_weights = 2, us_weights = 3;

}  // namespace

TEST_CASE("the makers' shares of new robots follow their odds, counted and grown", "[robots]") {
  const Scenario s = load(robot_world(""));
  const RobotPath path = robot_path(s);
  REQUIRE(!path.empty());
  // Counted in 2025-01, 12 months before the start: at month t the Chinese makers' odds
  // have grown 0.3 a year for (t + 12) / 12 years from 0.6 at home (0.4 for the others)
  // and 0.1 abroad (0.9).
  for (int t : {0, 12, 60}) {
    const double years = (t + 12) / 12.0;
    CHECK(path.new_robots[path.at(t, cnx, cn)] == Approx(logistic(logit(0.6) + 0.3 * years)).epsilon(1e-12));
    CHECK(path.new_robots[path.at(t, els, cn)] == Approx(logistic(logit(0.1) + 0.3 * years)).epsilon(1e-12));
    CHECK(path.new_robots[path.at(t, els, 0)] == 0.0);  // no US makers
  }
  // Embodiment saturates: 300 / (300 + 100), 100 / (100 + 100).
  CHECK(path.embodiment[cnx] == Approx(0.75).epsilon(1e-15));
  CHECK(path.embodiment[els] == Approx(0.5).epsilon(1e-15));
}

TEST_CASE("the installed base turns over at the installation rate and grows with the stock", "[robots]") {
  const Scenario s = load(robot_world(""));
  const RobotPath path = robot_path(s);
  // A month: the stock grows by g, and installations of i = 0.16 / 12 of it replace what
  // retires (i − g) and add the growth.
  const double g = std::pow(1.1, 1.0 / 12.0) - 1.0, i = 0.16 / 12.0;
  for (int c : {cnx, els}) {
    double h = path.installed[path.at(0, c, cn)];
    for (int t = 1; t <= 60; ++t) {
      h = ((1 + g - i) * h + i * path.new_robots[path.at(t, c, cn)]) / (1 + g);
      CHECK(path.installed[path.at(t, c, cn)] == Approx(h).epsilon(1e-12));
    }
    // Built up from the makers' past shares, the base lags the new robots while the
    // Chinese makers gain, and its shares add up.
    CHECK(path.installed[path.at(0, c, cn)] < path.new_robots[path.at(0, c, cn)] - 0.05);
    CHECK(path.installed[path.at(60, c, cn)] < path.new_robots[path.at(60, c, cn)]);
    double all = 0;
    for (int b = 0; b < robot_bloc_count; ++b) all += path.installed[path.at(60, c, b)];
    CHECK(all == Approx(1.0).epsilon(1e-12));
  }
  // With no maker gaining, the base built from the past is the counted shares exactly.
  std::string steady = robot_world("");
  steady.replace(steady.find("odds_growth = 0.3"), 17, "odds_growth = 0.0");
  const RobotPath flat = robot_path(load(steady));
  CHECK(flat.installed[flat.at(0, cnx, cn)] == Approx(0.6).epsilon(1e-12));
  CHECK(flat.installed[flat.at(60, els, other)] == Approx(0.9).epsilon(1e-12));
  // What physical firms see: embodiment times the base that ships each open stack (the
  // other bloc's makers ship the us bloc's); nothing of a closed stack.
  CHECK(robot_pull(s, path, 30, cnx, cn_weights) == Approx(0.75 * path.installed[path.at(30, cnx, cn)]).epsilon(1e-15));
  CHECK(robot_pull(s, path, 30, els, us_weights) == Approx(0.5 * path.installed[path.at(30, els, other)]).epsilon(1e-15));
  CHECK(robot_pull(s, path, 30, cnx, closed) == 0.0);
}

TEST_CASE("robots pull physical firms toward the open stack their makers ship, and only physical firms",
          "[robots]") {
  const RunResult on = test::run(load(robot_world("")));
  const RunResult off = test::run(load(robot_world("[feedback]\nphysical_ai = false\n")));
  // In the country whose robots are mostly Chinese, physical firms end more on cn_weights
  // than virtual ones; with the mechanism off the two sectors choose alike.
  const double gap_on = sector_share_at_end(on, cnx, physical, cn_weights) - sector_share_at_end(on, cnx, virtual_sector, cn_weights);
  const double gap_off = sector_share_at_end(off, cnx, physical, cn_weights) - sector_share_at_end(off, cnx, virtual_sector, cn_weights);
  CHECK(gap_on > 0.04);
  CHECK(gap_on > gap_off + 0.03);
  CHECK(std::abs(gap_off) < 0.02);
  // Elsewhere most robots are the other bloc's, which ship us_weights.
  CHECK(sector_share_at_end(on, els, physical, us_weights) > sector_share_at_end(on, els, virtual_sector, us_weights) + 0.03);
  // Off: the file says so (NaN), on: the base is written.
  CHECK(std::isnan(off.robot_share[0]));
  const RobotPath path = robot_path(load(robot_world("")));
  CHECK(on.robot_share[cnx * 3 + cn] == Approx(path.installed[path.at(0, cnx, cn)]).epsilon(1e-6));
}

TEST_CASE("a tariff on a bloc's robots lowers their share and their stack's pull on physical firms", "[robots]") {
  const std::string tariff = R"(
[[policies]]
type = "robot_tariff"
targets = ["CNX"]
bloc = "cn"
rate = 1.0
start = "2026-01"
)";
  const Scenario base = load(robot_world("")), taxed = load(robot_world(tariff));
  const RobotPath before = robot_path(base), after = robot_path(taxed);
  // Doubling their price divides the odds of Chinese robots by 2^2 from the first month;
  // the robots installed before it were bought untaxed.
  const double odds = std::exp(logit(before.new_robots[before.at(1, cnx, cn)]));
  CHECK(after.new_robots[after.at(1, cnx, cn)] == Approx(odds / 4 / (1 + odds / 4)).epsilon(1e-12));
  CHECK(after.new_robots[after.at(0, cnx, cn)] == before.new_robots[before.at(0, cnx, cn)]);
  CHECK(after.installed[after.at(0, cnx, cn)] == before.installed[before.at(0, cnx, cn)]);
  CHECK(after.new_robots[after.at(1, els, cn)] == before.new_robots[before.at(1, els, cn)]);  // not targeted
  CHECK(after.installed[after.at(60, cnx, cn)] < before.installed[before.at(60, cnx, cn)] - 0.1);
  const RunResult r0 = test::run(base), r1 = test::run(taxed);
  CHECK(sector_share_at_end(r1, cnx, physical, cn_weights) < sector_share_at_end(r0, cnx, physical, cn_weights) - 0.01);
}

TEST_CASE("robot makers' shares that add up to more than a country's robots are refused", "[robots][loader]") {
  std::string bad = robot_world("");
  bad.replace(bad.find("home_share = 0.0\nabroad_share = 0.0"), 34, "home_share = 0.0\nabroad_share = 0.5");
  // CNX: cn 0.6 at home + us 0.5 abroad; ELS: 0.1 + 0.5 is fine.
  CHECK_THROWS_WITH(load(bad), Catch::Contains("robots.cn") && Catch::Contains("in CNX") && Catch::Contains("more than 1"));
  // A share at home for makers with no home is never used, and not refused.
  std::string unused = robot_world("");
  unused.replace(unused.find("home_share = 0.0"), 16, "home_share = 0.9");
  CHECK_NOTHROW(load(unused));
  std::string shrinking = robot_world("");
  shrinking.replace(shrinking.find("installation_rate = 0.16"), 24, "installation_rate = 0.05");
  CHECK_THROWS_WITH(load(shrinking), Catch::Contains("robots.installation_rate") && Catch::Contains("stock_growth"));
}
