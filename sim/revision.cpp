#include "sim/revision.hpp"

#include <algorithm>

#include <cmath>
#include <boost/random/uniform_01.hpp>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "agents/stack_choice.hpp"

namespace stackrace {
namespace {

using Tally = std::vector<std::int64_t>;  // [group][stack]

// Runs `visit_block(block, tally)` over every block in parallel, with a tally per
// thread. Integer tallies sum to the same total in any order: the result is exact.
template <class VisitBlock>
void for_each_block(const AgentPopulation& population, Tally& total, VisitBlock visit_block) {
  const std::int64_t blocks = (population.size() + agents_per_block - 1) / agents_per_block;
  if (blocks == 1) {
    // One block (a small population, as in sweeps of many small runs): no task machinery.
    // Integer tallies make this exactly what the parallel path would give.
    visit_block(0, total);
    return;
  }
  tbb::enumerable_thread_specific<Tally> tallies(Tally(total.size(), 0));
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, blocks, 1), [&](const tbb::blocked_range<std::int64_t>& r) {
    Tally& tally = tallies.local();
    for (std::int64_t b = r.begin(); b != r.end(); ++b) visit_block(b, tally);
  });
  for (const Tally& t : tallies)
    for (std::size_t j = 0; j < total.size(); ++j) total[j] += t[j];
}

struct BlockBounds {
  std::int64_t begin, end;
};
BlockBounds bounds_of(const AgentPopulation& population, std::int64_t block) {
  std::int64_t begin = block * agents_per_block;
  return {begin, std::min(population.size(), begin + agents_per_block)};
}

// The gap to the next reviser: Geometric(revise) on {0, 1, ...} (failures before a
// success), by inversion: floor(ln U / ln(1 - revise)). It is the distribution of
// boost::random::geometric_distribution, written out because this is the hottest line of
// the engine: a multiply instead of a divide, truncation instead of a libm floor().
// revise = 1 visits every agent.
// revise = 0 never visits.
class RevisionGaps {
 public:
  RevisionGaps() = default;
  explicit RevisionGaps(double revise)
      : all_(revise >= 1.0), none_(revise <= 0.0), scale_(all_ || none_ ? 0.0 : 1.0 / std::log1p(-revise)) {}
  std::int64_t operator()(CounterStream& stream) const {
    if (none_) return never;
    if (all_) return 0;
    // With tiny rates the gap can exceed any index: cap it before converting.
    const double gap = std::log(open_unit(stream())) * scale_;
    return gap < double(never) ? static_cast<std::int64_t>(gap) : never;
  }

 private:
  static constexpr std::int64_t never = std::int64_t{1} << 62;
  bool all_ = false;
  bool none_ = true;
  double scale_ = 0;
};

}  // namespace

std::vector<std::int64_t> seat_population(AgentPopulation& population, const ChoiceTable& table, StreamKey key) {
  const int K = table.stacks;
  Tally counts(std::size_t(population.group_count()) * K, 0);
  for_each_block(population, counts, [&](std::int64_t block, Tally& tally) {
    key.index = static_cast<std::uint64_t>(block);
    CounterStream stream(key);
    boost::random::uniform_01<double> uniform;
    auto [begin, end] = bounds_of(population, block);
    int g = population.group_of(begin);
    for (std::int64_t i = begin; i < end; ++i) {
      while (i >= population.group_begin[g + 1]) ++g;
      auto k = static_cast<StackIndex>(pick_stack(table.row(g, 0), uniform(stream)));
      population.stack[i] = k;
      ++tally[std::size_t(g) * K + k];
    }
  });
  return counts;
}

void revise_population(AgentPopulation& population, const ChoiceTable& table, StreamKey key,
                       std::vector<std::int64_t>& counts, const EmployerLink* employer) {
  if (population.size() == 0) return;
  const int K = table.stacks;
  const int segments = population.segments;
  std::vector<RevisionGaps> gaps;
  bool anyone = false;
  for (double rate : table.visit_rate) gaps.emplace_back(rate), anyone = anyone || rate > 0;
  if (!anyone) return;
  for_each_block(population, counts, [&](std::int64_t block, Tally& tally) {
    key.index = static_cast<std::uint64_t>(block);
    CounterStream stream(key);
    auto [begin, end] = bounds_of(population, block);
    int g = population.group_of(begin);
    // Plain pointers: a byte store may alias anything, and would make the compiler
    // reload every vector's data pointer after each switch.
    StackIndex* const stack = population.stack.data();
    const std::int64_t* const group_begin = population.group_begin.data();
    std::int64_t* const group_counts = tally.data();
    std::int64_t group_end = std::min(group_begin[g + 1], end);
    std::int64_t i = begin + gaps[g](stream);
    for (;;) {
      // Past the group's end: the next group starts afresh at its first agent.
      while (i >= group_end && group_end < end) {
        ++g;
        group_end = std::min(group_begin[g + 1], end);
        i = group_begin[g] + gaps[g](stream);
      }
      if (i >= end) break;
      const StackIndex current = stack[i];
      const int boss = employer ? employer->employer_stack(i, g / segments, K) : 0;
      auto pick = static_cast<StackIndex>(pick_stack(table.row(g, current, boss), open_unit(stream())));
      if (pick != current) {
        stack[i] = pick;
        --group_counts[std::size_t(g) * K + current];
        ++group_counts[std::size_t(g) * K + pick];
      }
      i += 1 + gaps[g](stream);
    }
  });
}

}  // namespace stackrace
