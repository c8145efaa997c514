#include "sim/revision.hpp"

#include <algorithm>
#include <array>

#include <cmath>
#include <cstring>
#include <boost/random/uniform_01.hpp>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "agents/stack_choice.hpp"
#include "sim/unit_exponential.hpp"

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

// Calls visit(g, first, last) for each group g with agents in the block [begin, end),
// [first, last) being its part of the block.
template <class Visit>
void for_each_group_part(const AgentPopulation& population, std::int64_t begin, std::int64_t end, Visit visit) {
  for (int g = population.group_of(begin); g < population.group_count() && population.group_begin[g] < end; ++g)
    visit(g, std::max(population.group_begin[g], begin), std::min(population.group_begin[g + 1], end));
}

struct BlockBounds {
  std::int64_t begin, end;
};
BlockBounds bounds_of(const AgentPopulation& population, std::int64_t block) {
  std::int64_t begin = block * agents_per_block;
  return {begin, std::min(population.size(), begin + agents_per_block)};
}

// How a group's agents are visited this month: at rate 1 every agent, at rate 0 none,
// and otherwise with gaps to the next visited agent drawn from Geometric(rate) on
// {0, 1, ...} (failures before a success). A gap is floor(E / lambda) for E ~ Exp(1) and
// lambda = -ln(1 - rate), since P(floor(E / lambda) >= k) = exp(-k lambda) = (1 - rate)^k.
// E comes from Boost's ziggurat (unit_exponential.hpp), which needs one draw and no
// logarithm 98% of the time: this is the hottest line of the engine, and a libm log per
// visit was a third of it.
struct VisitRate {
  enum class Mode { none, every, gaps } mode = Mode::none;
  double gap_scale = 0;  // 1 / lambda

  explicit VisitRate(double rate)
      : mode(rate >= 1.0 ? Mode::every : rate <= 0.0 ? Mode::none : Mode::gaps),
        gap_scale(mode == Mode::gaps ? -1.0 / std::log1p(-rate) : 0.0) {}
};

// The key of one block's stream. A copy: blocks run in parallel, and a key they shared
// and each set its index in would be a data race (a block could draw from another's
// stream, and the result would depend on scheduling).
StreamKey block_key(StreamKey key, std::int64_t block) {
  key.index = static_cast<std::uint64_t>(block);
  return key;
}

}  // namespace

std::vector<std::int64_t> seat_population(AgentPopulation& population, const ChoiceTable& table, const StreamKey key) {
  const int K = table.stacks;
  Tally counts(std::size_t(population.group_count()) * K, 0);
  for_each_block(population, counts, [&](std::int64_t block, Tally& tally) {
    CounterStream stream(block_key(key, block));
    boost::random::uniform_01<double> uniform;
    auto [begin, end] = bounds_of(population, block);
    StackIndex* const stack = population.stack.data();
    for_each_group_part(population, begin, end, [&](int g, std::int64_t first, std::int64_t last) {
      const std::span<const double> row = table.row(g, 0);
      std::int64_t* const counts = tally.data() + std::size_t(g) * K;
      for (std::int64_t i = first; i < last; ++i) {
        const auto k = static_cast<StackIndex>(pick_stack(row, uniform(stream)));
        stack[i] = k;
        ++counts[k];
      }
    });
  });
  return counts;
}

namespace {

// The change in a group's count on each of three stacks over one block's visits, as one
// integer: stack k's change times 2^(21 k). A move adds 2^(21 pick) - 2^(21 current), a
// shift and three additions where three separate changes take three compares each. A
// block visits fewer than 2^16 agents, so each change stays within ±2^20 and the fields
// decode exactly. With four stacks the fourth needs no field: moves conserve agents, so
// its change is minus the sum of the other three.
template <int Stacks>
class PackedChanges {
  static_assert(Stacks == 3 || Stacks == 4);

 public:
  void move(int from, int to) { sum_ += weight(to) - weight(from); }
  void add_to(std::int64_t* counts) const {
    std::int64_t rest = sum_, moved = 0;
    for (int k = 0; k < fields; ++k) {
      // The low field, its sign extended (shifted left as unsigned: no sign bit to lose).
      const auto low = static_cast<std::int64_t>(static_cast<std::uint64_t>(rest) << (64 - bits));
      const std::int64_t change = low >> (64 - bits);
      counts[k] += change;
      moved += change;
      rest = (rest - change) >> bits;
    }
    if constexpr (Stacks > fields) counts[fields] -= moved;
  }

 private:
  static constexpr int bits = 21, fields = 3;
  static_assert(agents_per_block < (std::int64_t{1} << (bits - 1)), "a block's changes must fit a field");
  static constexpr std::int64_t weights[4] = {1, std::int64_t{1} << bits, std::int64_t{1} << (2 * bits), 0};
  static std::int64_t weight(int k) {
    if constexpr (Stacks == 3) return std::int64_t{1} << (bits * k);
    else return weights[k];
  }
  std::int64_t sum_ = 0;
};

// One group's part of the month's table and tally.
struct GroupTable {
  const double* rows;     // [current][employer][k], cumulative
  int employers;          // as ChoiceTable::employers
  int stacks;
  std::int64_t* counts;   // [k]: the group's agents on each stack
};

// Moves visited agents of one group by their rows of `group.rows` (the row of the
// agent's current stack and of its employer's stack, `boss`), and keeps the changes to
// the group's counts in registers until finish(). K is the number of stacks when known
// at compile time (0: group.stacks): the pick is then a fixed run of compares, and with
// two stacks a single one. Employers is 1 for kinds without an employer link (0:
// group.employers).
template <int StaticK, int Employers>
class AgentMoves {
 public:
  explicit AgentMoves(const GroupTable& group)
      : group_(group), rows_(group.rows), K_(StaticK > 0 ? StaticK : group.stacks),
        employers_(Employers > 0 ? Employers : group.employers) {}

  // Agent i, whose employer is on `boss`, moves by the uniform draw u.
  void move(StackIndex* stack, std::int64_t i, double u, int boss) {
    const StackIndex current = stack[i];
    const double* row = rows_ + std::ptrdiff_t(current * employers_ + boss) * K_;
    int pick = 0;
    for (int j = 0; j + 1 < K_; ++j) pick += u >= row[j];  // as pick_stack: no data-dependent branch
    if constexpr (StaticK == 2) {
      // No branch on whether the agent switched, which the CPU would mispredict about as
      // often as agents switch: the count changes are summed in registers.
      stack[i] = static_cast<StackIndex>(pick);
      gained_ += pick - current;
    } else if constexpr (StaticK == 3 || StaticK == 4) {
      stack[i] = static_cast<StackIndex>(pick);
      packed_.move(current, pick);
    } else if constexpr (StaticK > 0) {
      stack[i] = static_cast<StackIndex>(pick);
      for (int k = 0; k < StaticK; ++k) change_[k] += (pick == k) - (current == k);
    } else if (pick != current) {
      stack[i] = static_cast<StackIndex>(pick);
      --group_.counts[current];
      ++group_.counts[pick];
    }
  }

  void finish() const {
    if constexpr (StaticK == 2) group_.counts[0] -= gained_, group_.counts[1] += gained_;
    else if constexpr (StaticK == 3 || StaticK == 4) packed_.add_to(group_.counts);
    else if constexpr (StaticK > 0)
      for (int k = 0; k < StaticK; ++k) group_.counts[k] += change_[k];
  }

 private:
  const GroupTable& group_;
  const double* const rows_;
  const int K_, employers_;
  std::int64_t gained_ = 0;  // two stacks: stack 1 gains what stack 0 loses
  PackedChanges<(StaticK == 4 ? 4 : 3)> packed_;
  std::array<std::int64_t, std::max(StaticK, 1)> change_{};
};

// Visits one group's agents in [first, end) of one block, the next one `next_gap(stream)`
// agents on, and moves each (AgentMoves); every visit takes its uniform draw, then the
// gap to the next, from the stream in that order. `column()` is the employer column of
// every agent's row (kinds without an employer link), a constant the compiler sees.
template <int StaticK, int Employers, class NextGap, class Column>
void visit_agents(StackIndex* stack, std::int64_t first, std::int64_t end, CounterStream& stream, const GroupTable& group,
                  NextGap next_gap, Column column) {
  AgentMoves<StaticK, Employers> moves(group);
  CounterStream draws = stream;  // a local the compiler can keep in registers
  for (std::int64_t i = first + next_gap(draws); i < end; i += 1 + next_gap(draws))
    moves.move(stack, i, open_unit(draws()), column());
  moves.finish();
  stream = draws;
}

// The same for developers, whose row also depends on their employer's stack: a load from
// anywhere among their country's firms, often missing the nearer caches (the developers'
// own stacks stream through them). The next visit's employer is looked up before this
// visit moves, so that its wait overlaps this visit's work (same draws, same order).
template <int StaticK, class NextGap>
void visit_employed_agents(StackIndex* stack, std::int64_t first, std::int64_t end, CounterStream& stream,
                           const GroupTable& group, NextGap next_gap, const EmployerLink::OfCountry& employers) {
  AgentMoves<StaticK, 0> moves(group);
  CounterStream draws = stream;
  std::int64_t i = first + next_gap(draws);
  int boss = employers(i);  // any index may be looked up, past the group's end too
  while (i < end) {
    const double u = open_unit(draws());
    const std::int64_t next = i + 1 + next_gap(draws);
    const int next_boss = employers(next);
    moves.move(stack, i, u, boss);
    i = next;
    boss = next_boss;
  }
  moves.finish();
  stream = draws;
}

// The non-adopters a group's visits passed over (ChoiceTable::late_adoption): each
// adopts with the chance behind `next_gap`, drawn as gaps over the non-adopters alone,
// found by a scan of the group's stacks (a byte each, already in cache from the visits:
// far cheaper than visiting every agent at the non-adopters' rate). An adopting one moves
// by its row, as a visited non-adopter does; `column(i)` is agent i's employer column.
// Run after the group's visits, which leave on the outside option only those they
// passed over.
template <int StaticK, class NextGap, class Column>
void adopt_passed_over(StackIndex* stack, std::int64_t first, std::int64_t end, CounterStream& stream,
                       const GroupTable& group, StackIndex outside, NextGap next_gap, Column column) {
  AgentMoves<StaticK, 0> moves(group);
  CounterStream draws = stream;
  std::int64_t skip = next_gap(draws);
  for (std::int64_t i = first; i < end; ++i) {
    const void* hit = std::memchr(stack + i, outside, std::size_t(end - i));
    if (!hit) break;
    i = static_cast<const StackIndex*>(hit) - stack;
    if (skip > 0) {
      --skip;
      continue;
    }
    moves.move(stack, i, open_unit(draws()), column(i));
    skip = next_gap(draws);
  }
  moves.finish();
  stream = draws;
}

// Calls walk(next_gap) with the gap drawer of `rate`: none at rate 0, no gaps at rate 1,
// else geometric gaps, capped at `end`. The drawer goes by value, so that it stays in
// registers.
template <class Walk>
void with_gaps(VisitRate rate, std::int64_t end, Walk walk) {
  switch (rate.mode) {
    case VisitRate::Mode::none:
      break;
    case VisitRate::Mode::every:
      walk([](CounterStream&) { return std::int64_t{0}; });
      break;
    case VisitRate::Mode::gaps:
      walk([scale = rate.gap_scale, end](CounterStream& s) {
        // With tiny rates the gap can exceed any index: cap it before converting.
        const double gap = unit_exponential(s) * scale;
        return gap < double(end) ? static_cast<std::int64_t>(gap) : end;
      });
      break;
  }
}

// visit_agents with the group's visit rate and employer link resolved once, outside the
// loop over its agents.
template <int StaticK>
void revise_group(StackIndex* stack, std::int64_t first, std::int64_t end, VisitRate rate, VisitRate late,
                  int outside, CounterStream& stream, const GroupTable& group, const EmployerLink* employer,
                  int country) {
  auto visit = [&](auto next_gap) {
    if (!employer) {  // no link: the usual case has one row per current stack
      const auto first_column = [] { return 0; };
      if (group.employers == 1) visit_agents<StaticK, 1>(stack, first, end, stream, group, next_gap, first_column);
      else visit_agents<StaticK, 0>(stack, first, end, stream, group, next_gap, first_column);
      return;
    }
    const EmployerLink::OfCountry employers = employer->of_country(country);
    if (employers.firms > 0) visit_employed_agents<StaticK>(stack, first, end, stream, group, next_gap, employers);
    else  // no firms: every developer's employer column is "none"
      visit_agents<StaticK, 0>(stack, first, end, stream, group, next_gap, [K = group.stacks] { return K; });
  };
  with_gaps(rate, end, visit);
  const auto passed_over = [&](auto next_gap) {
    const auto outside_index = static_cast<StackIndex>(outside);
    if (!employer) {
      adopt_passed_over<StaticK>(stack, first, end, stream, group, outside_index, next_gap,
                                 [](std::int64_t) { return 0; });  // as the visits: the first column
      return;
    }
    const EmployerLink::OfCountry employers = employer->of_country(country);
    if (employers.firms > 0)
      adopt_passed_over<StaticK>(stack, first, end, stream, group, outside_index, next_gap, employers);
    else
      adopt_passed_over<StaticK>(stack, first, end, stream, group, outside_index, next_gap,
                                 [K = group.stacks](std::int64_t) { return K; });
  };
  with_gaps(late, end, passed_over);
}

}  // namespace

void revise_population(AgentPopulation& population, const ChoiceTable& table, const StreamKey key,
                       std::vector<std::int64_t>& counts, const EmployerLink* employer) {
  if (population.size() == 0) return;
  const int K = table.stacks, E = table.employers;
  const int segments = population.segments;
  // Most groups share their neighbour's rates: their gap scales (a log1p each) are reused.
  auto gap_rates = [](const std::vector<double>& of_group, bool& anyone) {
    std::vector<VisitRate> rates;
    rates.reserve(of_group.size());
    for (double rate : of_group) {
      rates.push_back(!rates.empty() && rate == of_group[rates.size() - 1] ? rates.back() : VisitRate(rate));
      anyone = anyone || rate > 0;
    }
    return rates;
  };
  bool anyone = false;
  const std::vector<VisitRate> rates = gap_rates(table.visit_rate, anyone);
  const std::vector<VisitRate> lates = gap_rates(table.late_adoption, anyone);
  if (!anyone) return;
  const auto revise = K == 2 ? &revise_group<2> : K == 3 ? &revise_group<3> : K == 4 ? &revise_group<4> : &revise_group<0>;
  for_each_block(population, counts, [&](std::int64_t block, Tally& tally) {
    CounterStream stream(block_key(key, block));
    auto [begin, end] = bounds_of(population, block);
    // Each group of the block starts afresh at its first agent (the block's first group
    // at the block's start). Groups are [country][segment]: the country is walked along,
    // not divided out.
    const int first_group = population.group_of(begin);
    int country = first_group / segments, segment = first_group % segments;
    for_each_group_part(population, begin, end, [&](int g, std::int64_t first, std::int64_t last) {
      const GroupTable group{table.cumulative.data() + table.offset(g, 0, 0), E, K, tally.data() + std::size_t(g) * K};
      revise(population.stack.data(), first, last, rates[g], lates[g], table.outside, stream, group, employer,
             country);
      if (++segment == segments) segment = 0, ++country;
    });
  });
}

}  // namespace stackrace
