#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include <tbb/global_control.h>

#include "agents/stack_choice.hpp"
#include "sim/revision.hpp"
#include "sim/rng.hpp"

using namespace stackrace;

namespace {

// Groups of agents all on stack 0, with a table that moves every visited agent to stack 1:
// after one month, the agents on stack 1 are exactly those the kernel visited.
struct VisitProbe {
  AgentPopulation population;
  ChoiceTable table;
  std::vector<std::int64_t> counts;

  VisitProbe(const std::vector<std::int64_t>& group_sizes, const std::vector<double>& rates)
      : population(make_population(AgentKind::developer, 1, group_sizes)),
        table(static_cast<int>(group_sizes.size()), 2),
        counts(group_sizes.size() * 2, 0) {
    for (int g = 0; g < table.groups; ++g) {
      table.visit_rate[g] = rates[g];
      table.row(g, 0)[0] = 0.0;  // from stack 0: stay with probability 0
      table.row(g, 0)[1] = 1.0;
      table.row(g, 1)[0] = 0.0;
      table.row(g, 1)[1] = 1.0;
      counts[std::size_t(g) * 2] = group_sizes[g];
    }
  }

  void revise(std::uint64_t seed = 7) {
    revise_population(population, table, StreamKey{seed, 0, 1, AgentKind::developer, StreamPurpose::revise, 0}, counts);
  }
  std::int64_t visited(int g) const { return counts[std::size_t(g) * 2 + 1]; }
};

}  // namespace

TEST_CASE("the kernel visits each agent with its group's rate", "[revision]") {
  // Groups straddle the 65,536-agent blocks, and rates run from none to all.
  const std::vector<std::int64_t> sizes{50'000, 120'000, 90'000, 70'000, 30'000, 40'000};
  const std::vector<double> rates{0.0, 0.003, 0.1, 0.5, 0.97, 1.0};
  VisitProbe probe(sizes, rates);
  probe.revise();
  for (int g = 0; g < int(sizes.size()); ++g) {
    INFO("group " << g << ", rate " << rates[g]);
    // Counts stay in step with the agents, and no agent is lost.
    std::int64_t on_one = 0;
    for (std::int64_t i = probe.population.group_begin[g]; i < probe.population.group_begin[g + 1]; ++i)
      on_one += probe.population.stack[i];
    CHECK(on_one == probe.visited(g));
    CHECK(probe.counts[std::size_t(g) * 2] + probe.visited(g) == sizes[g]);
    // Binomial(n, rate): within 5 standard deviations (exact at rates 0 and 1).
    const double mean = double(sizes[g]) * rates[g];
    const double sd = std::sqrt(mean * (1.0 - rates[g]));
    CHECK(std::abs(double(probe.visited(g)) - mean) <= 5.0 * sd);
  }
}

TEST_CASE("non-adopters the visits pass over adopt with the late chance, each exactly once", "[revision][late]") {
  // Stack 0 is the outside option. Each group holds non-adopters and adopters (on stack 1);
  // it is visited at rate v, a visited non-adopter adopts (to stack 1 or 2 by its row) and
  // a visited adopter moves to stack 2; the non-adopters passed over adopt with `late`.
  // A non-adopter so ends on an AI stack with v + (1 - v) late, an adopter on stack 2 with v.
  const std::vector<std::int64_t> sizes{200'000, 150'000, 90'000};
  const std::vector<double> visit{0.1, 0.02, 0.0}, late{0.3, 0.9, 0.5};
  AgentPopulation population = make_population(AgentKind::developer, 1, sizes);
  ChoiceTable table(3, 3);
  table.outside = 0;
  std::vector<std::int64_t> counts(9, 0);
  for (int g = 0; g < 3; ++g) {
    table.visit_rate[g] = visit[g];
    table.late_adoption[g] = late[g];
    auto none = table.row(g, 0), one = table.row(g, 1), two = table.row(g, 2);
    none[0] = 0.0, none[1] = 0.25, none[2] = 1.0;  // adopt: a quarter to stack 1, the rest to 2
    one[0] = 0.0, one[1] = 0.0, one[2] = 1.0;
    two[0] = 0.0, two[1] = 0.0, two[2] = 1.0;
    // The first third of each group adopted already (on stack 1), every third agent.
    for (std::int64_t i = population.group_begin[g]; i < population.group_begin[g + 1]; ++i)
      population.stack[i] = (i % 3 == 0) ? 1 : 0;
  }
  std::vector<std::int64_t> adopters(3, 0), waiting(3, 0);
  for (int g = 0; g < 3; ++g)
    for (std::int64_t i = population.group_begin[g]; i < population.group_begin[g + 1]; ++i)
      (population.stack[i] ? adopters : waiting)[g]++, counts[std::size_t(g) * 3 + population.stack[i]]++;
  const std::vector<StackIndex> before(population.stack.begin(), population.stack.end());
  revise_population(population, table, StreamKey{5, 0, 1, AgentKind::developer, StreamPurpose::revise, 0}, counts);
  for (int g = 0; g < 3; ++g) {
    INFO("group " << g << ": visit " << visit[g] << ", late " << late[g]);
    std::int64_t adopted = 0, to_one = 0, revised = 0, on[3] = {0, 0, 0};
    for (std::int64_t i = population.group_begin[g]; i < population.group_begin[g + 1]; ++i) {
      ++on[population.stack[i]];
      if (before[i] == 0) adopted += population.stack[i] != 0, to_one += population.stack[i] == 1;
      else revised += population.stack[i] == 2;
    }
    for (int k = 0; k < 3; ++k) CHECK(counts[std::size_t(g) * 3 + k] == on[k]);  // the counts follow the agents
    const double p = visit[g] + (1 - visit[g]) * late[g];
    const auto within = [](std::int64_t x, std::int64_t n, double q) {
      return std::abs(double(x) - double(n) * q) <= 5.0 * std::sqrt(double(n) * q * (1 - q)) + 1e-9;
    };
    CHECK(within(adopted, waiting[g], p));               // the model's chance, not more (no second chance)
    CHECK(within(to_one, adopted, 0.25));                // by the row, as a visited non-adopter
    CHECK(within(revised, adopters[g], visit[g]));       // adopters as before
  }
}

TEST_CASE("the gaps between visited agents are geometric", "[revision]") {
  // One group of 1,000,000 agents at rate 0.1: the gaps between visits should have
  // P(gap = n) = 0.9^n 0.1. Compared with the expected counts for n = 0 .. 29 and the tail.
  const double rate = 0.1;
  VisitProbe probe({1'000'000}, {rate});
  probe.revise(11);
  std::vector<std::int64_t> histogram(31, 0);
  std::int64_t last = -1, gaps = 0;
  for (std::int64_t i = 0; i < probe.population.size(); ++i) {
    if (probe.population.stack[i] != 1) continue;
    // Each block starts afresh at its first agent: count only gaps within a block.
    if (last >= 0 && last / agents_per_block == i / agents_per_block) {
      ++histogram[std::min<std::int64_t>(i - last - 1, 30)];
      ++gaps;
    }
    last = i;
  }
  double chi_square = 0;
  for (int n = 0; n <= 30; ++n) {
    const double p = n < 30 ? std::pow(1 - rate, n) * rate : std::pow(1 - rate, 30);
    const double expected = double(gaps) * p;
    chi_square += (double(histogram[n]) - expected) * (double(histogram[n]) - expected) / expected;
  }
  // 30 degrees of freedom: P(chi-square > 70) is about 4e-5.
  CHECK(chi_square < 70.0);
}

TEST_CASE("the kernel's result does not depend on the thread count", "[revision][determinism]") {
  const std::vector<std::int64_t> sizes{100'000, 150'000, 80'000};
  const std::vector<double> rates{0.05, 0.3, 0.8};
  VisitProbe one(sizes, rates), two(sizes, rates);
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one.revise();
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two.revise();
  }
  CHECK(one.population.stack == two.population.stack);
  CHECK(one.counts == two.counts);
}

namespace {

// A table of random rows for `groups` groups of K stacks and `employers` employer columns.
ChoiceTable random_table(int groups, int K, int employers, std::uint64_t seed) {
  ChoiceTable table(groups, K, employers);
  CounterStream stream(StreamKey{seed, 0, 0, AgentKind::developer, StreamPurpose::initial, 0});
  for (int g = 0; g < groups; ++g) {
    table.visit_rate[g] = 0.1 + 0.8 * open_unit(stream());
    for (int current = 0; current < K; ++current)
      for (int e = 0; e < employers; ++e) {
        std::span<double> row = table.row(g, current, e);
        for (double& p : row) p = open_unit(stream());
        double total = 0;
        for (double p : row) total += p;
        for (double& p : row) p /= total;
        cumulate(row);
      }
  }
  return table;
}

// Each group's agents on each stack, counted from the agents themselves.
std::vector<std::int64_t> recount(const AgentPopulation& population, int K) {
  std::vector<std::int64_t> counts(std::size_t(population.group_count()) * K, 0);
  for (int g = 0; g < population.group_count(); ++g)
    for (std::int64_t i = population.group_begin[g]; i < population.group_begin[g + 1]; ++i)
      ++counts[std::size_t(g) * K + population.stack[i]];
  return counts;
}

}  // namespace

TEST_CASE("the counts the kernel keeps are its agents' stacks, for 2, 3 and 5 stacks, with and without employers",
          "[revision]") {
  // Groups that start and end inside blocks of 65,536 agents and span several.
  const std::vector<std::int64_t> sizes{70'000, 1, 150'000, 0, 40'000};
  const int G = int(sizes.size());
  for (int K : {2, 3, 5}) {
    for (bool employed : {false, true}) {
      INFO(K << " stacks, " << (employed ? "with" : "without") << " employers");
      AgentPopulation developers = make_population(AgentKind::developer, 1, sizes);
      std::vector<std::int64_t> counts(std::size_t(G) * K, 0);
      for (int g = 0; g < G; ++g) counts[std::size_t(g) * K] = sizes[g];
      // Firms of every country, all on their own stacks (0 .. K - 1 in turn), and none in one.
      AgentPopulation firms = make_population(AgentKind::firm, 1, {7, 3, 0, 11, 5});
      for (std::size_t f = 0; f < firms.stack.size(); ++f) firms.stack[f] = StackIndex(f % K);
      const EmployerLink employer{firms.stack.data(), &firms, 0x5eed};
      const int employers = employed ? K + 1 : 1;
      for (int month = 1; month <= 3; ++month) {
        const ChoiceTable table = random_table(G, K, employers, std::uint64_t(100 * K + month));
        revise_population(developers, table, StreamKey{3, 0, month, AgentKind::developer, StreamPurpose::revise, 0},
                          counts, employed ? &employer : nullptr);
        REQUIRE(counts == recount(developers, K));
      }
      // And they moved: some agent left stack 0 in every populated group.
      for (int g = 0; g < G; ++g)
        if (sizes[g] > 1) CHECK(counts[std::size_t(g) * K] < sizes[g]);
    }
  }
}

TEST_CASE("each firm employs the same number of its country's developers to within a few, a different set each run",
          "[revision]") {
  struct Case {
    std::int64_t developers;
    std::uint64_t firms, salt;
  };
  for (const Case c : {Case{1'000'000, 1'000, 12345}, Case{1'000'000, 7, 987654321}, Case{4'000'000, 40'000, 1ull << 63},
                       Case{50'000, 5'000, mix64(7)}}) {
    INFO(c.developers << " developers, " << c.firms << " firms");
    std::vector<std::int64_t> employed(c.firms, 0);
    for (std::int64_t i = 0; i < c.developers; ++i) ++employed[employer_of(i, c.salt, c.firms)];
    const auto [fewest, most] = std::minmax_element(employed.begin(), employed.end());
    const std::int64_t even = c.developers / std::int64_t(c.firms);
    CHECK(*fewest >= even - 2);
    CHECK(*most <= even + 3);
  }
  // Another run's salt gives most developers another employer.
  int moved = 0;
  for (std::int64_t i = 0; i < 10'000; ++i) moved += employer_of(i, mix64(1), 1'000) != employer_of(i, mix64(2), 1'000);
  CHECK(moved > 9'900);
}
