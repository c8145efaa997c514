// Ties between countries (model/country_ties.hpp; MODEL.md 7.3, "Ties"): symmetric and
// normalised exactly, what a country sees through them, and the direction of their pull.
#include <catch2/catch.hpp>

#include <algorithm>

#include "model/country_ties.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"

using namespace stackrace;

namespace {

std::vector<CountrySpec> three_countries(bool reversed) {
  std::vector<CountrySpec> countries(3);
  countries[0].id = "AAA", countries[1].id = "BBB", countries[2].id = "CCC";
  countries[0].ties = {{"BBB", 3.0}, {"CCC", 1.0}};
  if (reversed) std::swap(countries[0].ties[0], countries[0].ties[1]);
  countries[1].ties = {{"AAA", 1.0}};
  return countries;
}

}  // namespace

TEST_CASE("ties are the collaboration both ways, each country's summing to 1, in any order", "[ties]") {
  for (bool reversed : {false, true}) {
    const CountryTies ties = tie_countries(three_countries(reversed));
    REQUIRE(ties.begin == std::vector<int>{0, 2, 3, 4});
    CHECK(ties.partner == std::vector<int>{1, 2, 0, 0});
    CHECK(ties.weight == std::vector<double>{0.8, 0.2, 1.0, 1.0});  // AAA-BBB: 3 + 1 both ways, AAA-CCC: 1
  }
  // What AAA sees is its partners' shares, weighed; a country without ties sees the world's.
  std::vector<CountrySpec> countries = three_countries(false);
  countries.push_back(CountrySpec{});
  countries.back().id = "DDD";
  const CountryTies ties = tie_countries(countries);
  const std::vector<double> share{0.5, 0.5, 0.9, 0.1, 0.0, 1.0, 0.3, 0.7}, world{0.25, 0.75};
  std::vector<double> seen;
  share_through_ties(ties, share, world, 2, seen);
  CHECK(seen[0] == Approx(0.8 * 0.9 + 0.2 * 0.0).epsilon(1e-15));
  CHECK(seen[2] == Approx(0.5).epsilon(1e-15));  // BBB sees AAA
  CHECK(seen[6] == 0.25);                         // DDD: no ties, the world
  CHECK(seen[7] == 0.75);
}

TEST_CASE("developers lean toward the stack their tie partners use, and only through tie_share", "[ties]") {
  auto world = [](double tie_share) {
    return R"(
[scenario]
name = "ties"
steps = 24

[population]
developer_agents = 300_000

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "closed"
bloc = "us"
capability = 1.0
price = 2.0

[[stacks]]
id = "open"
bloc = "cn"
open_weights = true
capability = 1.0
price = 2.0

[choice.developer]
revise = 0.2
tie_share = )" + std::to_string(tie_share) + R"(

[[countries]]
id = "HUB"
developers = 1e6
initial_share = { none = 0.1, closed = 0.1, open = 0.8 }

[[countries]]
id = "TIE"
developers = 1e6
initial_share = { none = 0.1, closed = 0.45, open = 0.45 }
ties = { HUB = 5e5 }

[[countries]]
id = "FAR"
developers = 1e6
initial_share = { none = 0.1, closed = 0.8, open = 0.1 }
)";
  };
  auto open_in_tied = [&](double tie_share) {
    test::TempScenario file(world(tie_share));
    const RunResult r = test::run(load_scenario(file.path()));
    return std::pair{r.share_at(24, 1, AgentKind::developer, 2), r.share_at(24, 0, AgentKind::developer, 2)};
  };
  const auto [tied_off, hub_off] = open_in_tied(0.0);
  const auto [tied_on, hub_on] = open_in_tied(3.0);
  CHECK(tied_on > tied_off + 0.05);  // TIE sees HUB's open stack
  CHECK(hub_on > hub_off + 0.02);    // and HUB sees TIE (ties run both ways), still mostly open
}

TEST_CASE("a scenario's ties rerun from its resolved text alone", "[ties][scenario]") {
  const ScenarioDocument document = read_scenario(test::world("developer_ties.toml"));
  const Scenario& with_table = document.scenario;
  std::size_t tied = 0;
  for (const CountrySpec& c : with_table.countries) tied += c.ties.empty() ? 0 : 1;
  CHECK(tied > 150);  // GitHub reports ties for most economies
  test::TempScenario resolved(document.resolved_toml);
  const Scenario again = load_scenario(resolved.path());
  REQUIRE(again.countries.size() == with_table.countries.size());
  // The same ties (a TOML table lists them by id: the order may differ, which ties ignore).
  auto sorted = [](std::vector<std::pair<std::string, double>> ties) {
    std::sort(ties.begin(), ties.end());
    return ties;
  };
  for (std::size_t c = 0; c < again.countries.size(); ++c)
    CHECK(sorted(again.countries[c].ties) == sorted(with_table.countries[c].ties));
  const CountryTies a = tie_countries(with_table.countries), b = tie_countries(again.countries);
  CHECK(a.partner == b.partner);
  CHECK(a.weight == b.weight);
}
