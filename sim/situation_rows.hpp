#pragma once
// The rows of a choice table for one situation (a group of agents, and for developers
// their employer's stack): for each current stack, the cumulative probabilities with
// which a *visited* agent ends the month on each stack. They are the model's transition
// (agents/transition.hpp) thinned by the group's visit rate (sim/revision.hpp): an agent
// that acts at a rate r is visited at the group's rate v >= r and then acts with
// probability r / v. The logit probabilities of all current stacks come from one set of
// odds (situation_odds.hpp); tests/sim/choice_tables_test.cpp holds the rows equal to the
// plain rule.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "agents/reach.hpp"
#include "agents/stack_choice.hpp"
#include "agents/transition.hpp"
#include "sim/situation_odds.hpp"

namespace stackrace {

// What a situation's rows need besides its utilities.
struct SituationMonth {
  double visit = 0;  // the group's visit rate
  MonthChances chances;
  const std::uint8_t* banned = nullptr;  // [k]: banned for the kind in the country
  const double* lock_in = nullptr;       // [k]
  const double* reach = nullptr;         // [k]: share of agents that can get it (agents/reach.hpp); null: all served
  double switching_cost = 0;
  int outside = -1;  // the outside option, -1 if none
};

// StaticK > 0: the stack count, known at compile time (0: any). One object serves every
// situation of a table: the odds and the last division are kept between them.
template <int StaticK = 0>
class SituationRows {
 public:
  // Row j, for an agent on stack j, goes to rows + j * stride (utility.size() entries).
  void fill(std::span<const double> utility, const SituationMonth& m, double* rows, std::size_t stride) {
    const int K = StaticK > 0 ? StaticK : int(utility.size());
    if constexpr (StaticK == 0) chosen_.resize(K), part_.resize(K), reached_utility_.resize(K);
    if (!m.reach || all_served({m.reach, std::size_t(K)})) {
      odds_.assign(utility);
      for (int current = 0; current < K; ++current) {
        const std::span<double> row(rows + std::size_t(current) * stride, std::size_t(K));
        row_among(m, current, row);
        cumulate(row);
      }
      return;
    }
    // Stacks reached in part: each row is the rows among the stacks reached, averaged
    // over the combinations an agent may reach.
    for (int current = 0; current < K; ++current) std::fill_n(rows + std::size_t(current) * stride, K, 0.0);
    const std::span<double> part(part_.data(), std::size_t(K));
    const std::span<double> scratch(reached_utility_.data(), std::size_t(K));
    const std::span<const double> reach(m.reach, std::size_t(K));
    for_each_reach(utility.first(K), reach, scratch, [&](double weight, std::span<const double> reached_utility) {
      odds_.assign(reached_utility);
      for (int current = 0; current < K; ++current) {
        row_among(m, current, part);
        double* const row = rows + std::size_t(current) * stride;
        for (int k = 0; k < K; ++k) row[k] += weight * part[k];
      }
    });
    for (int current = 0; current < K; ++current) cumulate({rows + std::size_t(current) * stride, std::size_t(K)});
  }

 private:
  // The row (not cumulated) of a visited agent on `current`, among the stacks whose odds
  // the last assign() left non-zero.
  void row_among(const SituationMonth& m, int current, std::span<double> row) {
    const int K = int(row.size());
    const std::span<double> p(chosen_.data(), row.size());
    const bool waiting = current == m.outside;
    const bool banned = m.banned[current];
    const double rate = banned ? 1.0 : waiting ? m.chances.adopt : m.chances.revise;
    const double act = acting_share(rate, m.visit);
    // Leaving a stack costs the switching cost plus any lock-in (infrastructure bundles).
    const double leave = m.switching_cost + (waiting ? 0.0 : m.lock_in[current]);
    const bool any = odds_.probabilities(waiting ? -1 : current, leave, p);
    for (int k = 0; k < K; ++k) row[k] = act * p[k];
    // With nothing available, users of a banned stack, or of one out of their reach,
    // fall back to the outside option.
    if (!any && !waiting && (banned || odds_.unavailable(current)) && m.outside >= 0) row[m.outside] += act;
    if (m.outside >= 0 && !waiting && !banned && m.visit > 0) row[m.outside] += m.chances.abandon / m.visit;
    double moved = 0;
    for (double x : row) moved += x;
    row[current] += std::max(0.0, 1.0 - moved);
  }

  // The share of visited agents that act: rows mostly repeat the last pair of rates, so
  // its division is remembered. All of them where the rate passes the visits' (the
  // non-adopters of a group visited at its adopters' rate, ChoiceTable::late_adoption).
  double acting_share(double rate, double visit) {
    if (rate != rate_ || visit != visit_)
      rate_ = rate, visit_ = visit, act_ = visit > 0 ? std::min(1.0, rate / visit) : 0.0;
    return act_;
  }

  using Values = std::conditional_t<(StaticK > 0), std::array<double, std::size_t(StaticK > 0 ? StaticK : 1)>,
                                    std::vector<double>>;
  SituationOdds<StaticK> odds_;
  Values chosen_{}, part_{}, reached_utility_{};
  double rate_ = std::numeric_limits<double>::quiet_NaN(), visit_ = std::numeric_limits<double>::quiet_NaN(), act_ = 0;
};

}  // namespace stackrace
