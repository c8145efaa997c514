#pragma once
// The parallel kernel that lets one population revise its stacks for one month.
// It visits only a thinned sample of agents: every agent of a group (a country, or a
// segment of one) is visited with the group's visit rate — the largest rate at which
// any of its agents acts this month, or the adopters' where the non-adopters the visits
// pass over get their own chance after them (ChoiceTable::late_adoption) — and a
// visited agent's row of the table says what it then does: stay, or move to each stack.
// So agents that act more slowly simply stay more often. Within each fixed block of
// agents the gap to the next visit is drawn from a geometric distribution over the
// block's own counter-based stream, afresh at each group's start (gaps are memoryless,
// so this is exact): the work grows with the visits, not the population, and the result
// does not depend on how blocks are spread over threads.
#include <cstdint>
#include <span>
#include <vector>

#include "agents/population.hpp"
#include "sim/rng.hpp"

namespace stackrace {

inline constexpr std::int64_t agents_per_block = 1 << 16;

// What a visited agent does: row (group, current stack, employer's stack) holds the
// cumulative probabilities of ending the month on each stack, the last exactly 1.
// `employers` is 1 when the kind has no employer, else stacks + 1 (the last: none).
struct ChoiceTable {
  int groups = 0;
  int stacks = 0;
  int employers = 1;
  int outside = -1;  // the outside option (-1: none), for late_adoption
  std::vector<double> visit_rate;  // [group]: probability that an agent is visited this month
  // [group]: where non-adopters adopt faster than adopters revise, the group is visited at
  // the adopters' rate and a visited non-adopter adopts for sure; the non-adopters the
  // visits passed over then adopt with this chance (0: none). A non-adopter thus adopts
  // with v + (1 - v) * late (the model's chance), adopters act as before, and the visits
  // do not grow with the few non-adopters left late in a run. The table's filler sets it
  // only where a visit leaves no one on the outside option (sim/choice_tables.cpp).
  std::vector<double> late_adoption;
  std::vector<double> cumulative;  // [group][current][employer][k]

  ChoiceTable() = default;
  // All visit rates 0 and all rows 0.
  ChoiceTable(int groups_, int stacks_, int employers_ = 1) { reshape(groups_, stacks_, employers_); }
  // All visit rates 0 and the rows as they were (for a caller that writes every row
  // it lets be read), keeping the storage: the engine refills one table a month.
  void reshape(int groups_, int stacks_, int employers_ = 1) {
    groups = groups_;
    stacks = stacks_;
    employers = employers_;
    visit_rate.assign(groups_, 0.0);
    late_adoption.assign(groups_, 0.0);
    cumulative.resize(std::size_t(groups_) * stacks_ * employers_ * stacks_);
  }
  std::size_t offset(int group, int current, int employer) const {
    return ((std::size_t(group) * stacks + current) * employers + employer) * stacks;
  }
  std::span<double> row(int group, int current, int employer = 0) {
    return {cumulative.data() + offset(group, current, employer), std::size_t(stacks)};
  }
  std::span<const double> row(int group, int current, int employer = 0) const {
    return {cumulative.data() + offset(group, current, employer), std::size_t(stacks)};
  }
};

// The firm (0 .. firms - 1, within its country) that employs developer `developer`.
inline std::uint64_t employer_of(std::int64_t developer, std::uint64_t salt, std::uint64_t firms) {
  constexpr std::uint64_t golden = 0x9e3779b97f4a7c15ull;  // 2^64 / phi
  return scale_to(salt + static_cast<std::uint64_t>(developer) * golden, firms);
}

// Each developer works for one firm of its country, fixed for the run, and sees that
// firm's stack of last month. Developer i's firm is floor(frac(salt + i * phi) * firms)
// (a Weyl sequence, phi the golden ratio, salt drawn per run): the country's developers
// spread over its firms evenly (each firm employs the same number to within a few, as
// uniform employment says; a hash spreads them with Poisson noise), and the lookup takes
// two multiplies where a hash and a remainder took a division, on a line the revision
// kernel runs at every developer's visit. Developers are seated independently of their
// index, so the sequence's regularity is independent of their stacks.
struct EmployerLink {
  const StackIndex* firm_stack = nullptr;  // last month's stacks of the firm population
  const AgentPopulation* firms = nullptr;
  std::uint64_t salt = 0;

  // The employers of one country's developers, its firms resolved once.
  struct OfCountry {
    const StackIndex* firm_stack;  // the country's firms' stacks
    std::uint64_t firms;           // how many
    std::uint64_t salt;
    // The stack of developer i's employer; call only where the country has firms.
    int operator()(std::int64_t developer) const { return firm_stack[employer_of(developer, salt, firms)]; }
  };
  OfCountry of_country(int country) const {
    const std::int64_t begin = firms->country_begin(country);
    return {firm_stack + begin, static_cast<std::uint64_t>(firms->country_begin(country + 1) - begin), salt};
  }
};

// Gives each agent its first stack by a draw from its group's row for stack 0 of
// `table` (which the caller fills with the starting shares), and returns the counts
// [group][stack].
std::vector<std::int64_t> seat_population(AgentPopulation& population, const ChoiceTable& table, StreamKey key);

// One month of revisions. `counts` [group][stack] is updated by the switches made.
// `employer` is null for kinds without an employer.
void revise_population(AgentPopulation& population, const ChoiceTable& table, StreamKey key,
                       std::vector<std::int64_t>& counts, const EmployerLink* employer = nullptr);

}  // namespace stackrace
