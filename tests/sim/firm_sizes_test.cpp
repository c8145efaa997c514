// Firm size classes (MODEL.md 5.2, 7.6.2): firms and staff split by a country's income,
// agents allotted by staff and weighted by firms, each class's adoption at the start and
// its pace, and developers employed in proportion to staff. Exact where the split gives
// exact values, within sampling error where agents draw, direction where the model gives
// direction.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>

#include "sim/revision.hpp"
#include "sim/simulation.hpp"
#include "tests/test_support.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/world_builder.hpp"

using namespace stackrace;

namespace {

// A rich and a poor country, the EU's split for the first and another for the second.
std::string sized_world(const std::string& extra) {
  return R"(
[scenario]
name = "sizes"
steps = 24

[population]
developer_agents = 200_000
firm_agents = 400_000

[[stacks]]
id = "none"
outside = true

[[stacks]]
id = "closed"
bloc = "us"
capability = 1.0
price = 4.0

[[stacks]]
id = "open"
bloc = "cn"
open_weights = true
capability = 0.95
price = 1.0

[adoption.firm]
innovation = 0.004
imitation = 0.1

[world.firm_sizes]
high_income_gdp = 14_000
developing_micro_firms = 0.9
developing_small_firms = 0.08
developing_medium_firms = 0.015
developing_large_firms = 0.005
developing_micro_staff = 0.5
developing_small_staff = 0.2
developing_medium_staff = 0.1
developing_large_staff = 0.2
)" + extra + R"(

[[countries]]
id = "RCH"
developers = 1e6
firms = 2e6
gdp_per_capita = 50_000
initial_share = { none = 0.8, closed = 0.15, open = 0.05 }

[[countries]]
id = "PRR"
developers = 1e6
firms = 2e6
gdp_per_capita = 4_000
initial_share = { none = 0.9, closed = 0.05, open = 0.05 }
)";
}

Scenario load(const std::string& text) {
  test::TempScenario file(text);
  return load_scenario(file.path());
}

// Firms of the size class in country c using AI in month t.
double adopted(const RunResult& r, int t, int c, int size) { return 1.0 - r.size_share[r.size_cell(t, c, size, 0)]; }

}  // namespace

TEST_CASE("firms and staff split by income, and each class's start keeps the 10+ firms' adoption", "[firm_sizes]") {
  const Scenario s = load(sized_world("micro_start = 0.5\nsmall_start = 0.8\nmedium_start = 1.5\nlarge_start = 3.0\n"));
  const CountrySpec& rich = s.countries[0];
  const CountrySpec& poor = s.countries[1];
  CHECK(rich.firm_size_share == CountrySpec{}.firm_size_share);  // the EU's, the code default
  CHECK(poor.firm_size_share == BySize{0.9, 0.08, 0.015, 0.005});
  CHECK(poor.staff_share == BySize{0.5, 0.2, 0.1, 0.2});
  for (const CountrySpec& c : s.countries) {
    // Over the firms of 10+ staff the factors average exactly 1: initial_share is theirs.
    double firms = 0, adopted = 0;
    for (int size = small_size; size < firm_size_count; ++size)
      firms += c.firm_size_share[size], adopted += c.firm_size_share[size] * c.firm_start_factor[size];
    CHECK(adopted / firms == Approx(1.0).epsilon(1e-12));
    CHECK(c.firm_start_factor[large_size] / c.firm_start_factor[small_size] == Approx(3.0 / 0.8).epsilon(1e-12));
    CHECK(c.firm_start_factor[micro_size] / c.firm_start_factor[small_size] == Approx(0.5 / 0.8).epsilon(1e-12));
  }
  // A large firm of the poor country employs (0.2 / 0.005) / (0.2 / 0.08) = 16 small firms' staff.
  CHECK(poor.staff_per_firm(large_size) == Approx(16.0).epsilon(1e-12));
}

TEST_CASE("at the start each size class has adopted its factor times its country's 10+ firms' share", "[firm_sizes]") {
  const Scenario s = load(sized_world("micro_start = 0.5\nsmall_start = 0.8\nmedium_start = 1.5\nlarge_start = 3.0\n"));
  const World w = build_world(s);
  const RunResult r = simulate(w, first_run(w));
  const PopulationLayout& firms = w.population(AgentKind::firm);
  for (int c = 0; c < 2; ++c)
    for (int size = 0; size < firm_size_count; ++size) {
      const double expected = (1.0 - s.countries[c].initial_share[index_of(AgentKind::firm)][0]) *
                              s.countries[c].firm_start_factor[size];
      std::int64_t agents = 0;
      for (int sector = 0; sector < sector_count; ++sector)
        agents += firms.agents_per_group[std::size_t(c) * firm_segments + sector * firm_size_count + size];
      const double sd = std::sqrt(expected * (1 - expected) / double(agents));
      INFO(s.countries[c].id << " " << firm_size_name(size) << ": " << agents << " agents");
      CHECK(std::abs(adopted(r, 0, c, size) - expected) < 4 * sd + 1e-6);
    }
}

TEST_CASE("larger firms adopt sooner as size_elasticity says, all sizes alike at 0", "[firm_sizes]") {
  auto run_with = [](double elasticity) {
    std::string text = sized_world("");
    const std::string rule = "[adoption.firm]\ninnovation = 0.004\nimitation = 0.1\n";
    text.replace(text.find(rule), rule.size(), rule + "size_elasticity = " + std::to_string(elasticity) + "\n");
    return test::run(load(text));
  };
  const RunResult alike = run_with(0.0), sized = run_with(0.5);
  const int t = 12;
  for (int c = 0; c < 2; ++c) {
    INFO(sized.size_share[sized.size_cell(t, c, 0, 0)] << " of micro firms on none");
    for (int size = micro_size; size < large_size; ++size) CHECK(adopted(sized, t, c, size + 1) > adopted(sized, t, c, size) + 0.02);
    CHECK(std::abs(adopted(alike, t, c, large_size) - adopted(alike, t, c, micro_size)) < 0.02);
    // Micro firms employ under a small firm's staff: slower than at one pace; large faster.
    CHECK(adopted(sized, t, c, micro_size) < adopted(alike, t, c, micro_size) - 0.02);
    CHECK(adopted(sized, t, c, large_size) > adopted(alike, t, c, large_size) + 0.02);
  }
}

TEST_CASE("developers work for firms in proportion to the firms' staff", "[firm_sizes][employer]") {
  const Scenario s = load(sized_world(""));
  const World w = build_world(s);
  const PopulationLayout& firms = w.population(AgentKind::firm);
  const PopulationLayout& developers = w.population(AgentKind::developer);
  const std::uint64_t salt = 0x1234'5678'9abc'def0ull;
  std::int64_t first_developer = 0;
  for (int c = 0; c < 2; ++c) {
    const std::int64_t F = firms.agents[c];
    std::array<double, firm_segments> employed{};
    for (std::int64_t i = first_developer; i < first_developer + developers.agents[c]; ++i) {
      std::int64_t firm = static_cast<std::int64_t>(employer_of(i, salt, static_cast<std::uint64_t>(F)));
      int segment = 0;
      while (firm >= firms.agents_per_group[std::size_t(c) * firm_segments + segment])
        firm -= firms.agents_per_group[std::size_t(c) * firm_segments + segment++];
      employed[segment] += 1.0 / double(developers.agents[c]);
    }
    first_developer += developers.agents[c];
    const auto staff = firm_segment_shares(s.countries[c].physical_share, s.countries[c].staff_share);
    for (int segment = 0; segment < firm_segments; ++segment) {
      INFO(s.countries[c].id << " segment " << segment);
      CHECK(employed[segment] == Approx(staff[segment]).margin(1e-3));
    }
  }
}
