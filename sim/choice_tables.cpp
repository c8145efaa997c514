#include "sim/choice_tables.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
#include <optional>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "agents/adoption.hpp"
#include "agents/reach.hpp"
#include "agents/stack_choice.hpp"
#include "model/utilities.hpp"
#include "sim/situation_rows.hpp"

namespace stackrace {
namespace {

// ln(price) for each stack, remembering the last price seen: a stack's price is the same
// in most countries (policies make the exceptions), so each thread takes about one libm
// log per stack and month instead of one per country and stack. What it returns is
// ln(price) exactly, whichever thread remembered what: results do not depend on it.
class LogPrices {
 public:
  // Sized for `stacks` (forgetting what it saw only when the count changes).
  void fit(int stacks) {
    if (int(price_.size()) == stacks) return;
    price_.assign(stacks, std::numeric_limits<double>::quiet_NaN());
    log_.assign(stacks, 0.0);
  }
  double operator()(int stack, double price) {
    if (price != price_[stack]) price_[stack] = price, log_[stack] = std::log(price);
    return log_[stack];
  }

 private:
  std::vector<double> price_, log_;
};

bool any_ban(const World& world, AgentKind kind, const MonthView& view) {
  for (int c = 0; c < world.country_count(); ++c)
    for (int k = 0; k < world.stack_count(); ++k)
      if (view.env.is_banned(kind, c, k)) return true;
  return false;
}

// The month's rows and visit rates of one country's groups, for a table already shaped.
// StaticK > 0 is the stack count known at compile time, for the usual 2, 3 or 4 stacks:
// the many short loops over stacks unroll. 0: any count. Countries are independent, so
// the engine fills them in parallel; what a country's rows hold does not depend on which
// thread fills them.
template <int StaticK>
class CountryRows {
 public:
  CountryRows(const World& world, AgentKind kind, const MonthView& view, ChoiceTable& table)
      : world_(world), s_(world.scenario), kind_(kind), view_(view), table_(table),
        w_(s_.kind_weights(kind)), rule_(s_.adoption_rule(kind)),
        constants_(world.calibration.constant[index_of(kind)].data()),
        start_value_(world.calibration.start_value[index_of(kind)]), outside_(s_.outside_stack()),
        K_(StaticK > 0 ? StaticK : s_.stack_count()), S_(world.population(kind).segments) {}

  void fill(int c) {
    // Working space kept by each thread between months (tables are refilled every
    // month): no allocation per country.
    thread_local struct {
      std::vector<double> group_utility;
      LogPrices log_price;
    } kept;
    const int K = K_, S = S_;
    std::vector<double>& group_utility = kept.group_utility;
    group_utility.resize(std::size_t(S) * K);
    kept.log_price.fit(K);
    // Each group's utilities without the employer's pull, which is all that differs
    // between a group's rows: computed once per group, not once per row. Groups are
    // [country][segment], g = c * S + segment.
    for (int segment = 0; segment < S; ++segment) {
      const AgentSituation a = group_situation(s_, kind_, c, segment, view_);
      for (int k = 0; k < K; ++k)
        group_utility[std::size_t(segment) * K + k] = stack_value(s_, kind_, w_, a, c, k, view_, constants_, kept.log_price);
    }
    const double gain = value_gain_of(c, {group_utility.data(), std::size_t(K)});
    for (int segment = 0; segment < S; ++segment) fill_group(c, segment, gain, group_utility);
  }

 private:
  // One group's visit rates and rows. Non-adopters faster than adopters: try visiting at
  // the adopters' rate, the rest of the non-adopters after (ChoiceTable::late_adoption);
  // kept only where the rows show that a visit leaves no one on the outside option.
  void fill_group(int c, int segment, double gain, const std::vector<double>& group_utility) {
    const int g = c * S_ + segment;
    const double hazard = adoption_rate(c, segment, gain);
    const double rate = visit_rate(c, hazard);
    const double adopters = adopter_rate();
    if (rate > adopters && rate < 1.0 && can_adopt_late()) {
      fill_rows(c, segment, hazard, adopters, group_utility);
      if (visits_clear_outside(g)) {
        table_.visit_rate[g] = adopters;
        table_.late_adoption[g] = (hazard - adopters) / (1.0 - adopters);
        return;
      }
    }
    table_.visit_rate[g] = rate;
    fill_rows(c, segment, hazard, rate, group_utility);
  }

 private:
  // Every row of a group of country c, for agents visited at `rate`.
  void fill_rows(int c, int segment, double hazard, double rate, const std::vector<double>& group_utility) {
    const int K = K_;

    // Spans of K entries, K a constant where it is known: their loops unroll.
    auto scratch = [K] {
      if constexpr (StaticK > 0) return std::array<double, StaticK>{};
      else return std::vector<double>(K);
    };
    auto u_storage = scratch();
    const std::span<double> u(u_storage.data(), std::size_t(K));
    SituationRows<StaticK> rows;
    const int employers = table_.employers;
    const std::size_t stride = std::size_t(employers) * K;  // from one current stack's row to the next
    const SituationMonth month{rate,
                               {w_.base.revise, hazard, rule_.abandon},
                               view_.env.banned[index_of(kind_)].data() + view_.env.cell(c, 0),
                               view_.env.lock_in.data() + view_.env.cell(c, 0),
                               view_.env.reach[index_of(kind_)].data() + view_.env.cell(c, 0),
                               w_.base.switching_cost,
                               outside_ ? *outside_ : -1};
    const int g = c * S_ + segment;
    for (int e = 0; e < employers; ++e) {
      const int employer_stack = employers > 1 && e < K ? e : -1;
      for (int k = 0; k < K; ++k)
        u[k] = group_utility[std::size_t(segment) * K + k] + employer_pull(w_, k, employer_stack);
      rows.fill(u, month, table_.cumulative.data() + table_.offset(g, 0, e), stride);
    }
  }

  // How much more adopting is worth than at the start: the logsum of the country's first
  // segment's utilities (`first`), no employer, each stack's odds weighed by its reach.
  double value_gain_of(int c, std::span<const double> first) const {
    if (!outside_ || rule_.value_elasticity == 0) return 0.0;
    return value_gain(reachable_value(first, view_.env.reach_in(kind_, c)), start_value_[c]);
  }

  // The monthly probability that a non-adopter of the segment adopts (firms' size classes
  // adopt at their own pace, agents/adoption.hpp).
  double adoption_rate(int c, int segment, double gain) const {
    if (!outside_) return 0.0;
    const CountrySpec& country = s_.countries[c];
    const double staff = kind_ == AgentKind::firm ? country.staff_per_firm(size_of(segment)) : 1.0;
    return adoption_hazard(rule_, country.gdp_per_capita, gain, view_.adopted[index_of(kind_)][c], staff);
  }

  double adopter_rate() const { return std::min(1.0, w_.base.revise + (outside_ ? rule_.abandon : 0.0)); }

  // Late adoption needs the outside option to be left only by the non-adopters' own
  // adoption: no one abandons (an adopter who did would be taken for one passed over).
  bool can_adopt_late() const { return outside_ && rule_.abandon == 0; }

  // Whether, in every row of group g, a visited non-adopter surely adopts and no one
  // moves onto the outside option (a banned stack's users, or an out-of-reach stack's with
  // no other to get, would).
  bool visits_clear_outside(int g) const {
    const int o = *outside_;
    for (int e = 0; e < table_.employers; ++e)
      for (int current = 0; current < K_; ++current) {
        const auto row = std::as_const(table_).row(g, current, e);
        const double onto_outside = row[std::size_t(o)] - (o > 0 ? row[std::size_t(o) - 1] : 0.0);
        if (onto_outside > 0) return false;
      }
    return true;
  }

  // Each group is visited at the fastest rate any of its agents acts: adopters revise or
  // abandon, non-adopters adopt (only where some are left). Where a stack is banned for
  // this kind, its users must leave it this month: the whole group is visited.
  double visit_rate(int c, double hazard) const {
    const double adopter_rate = this->adopter_rate();
    const bool waiting = outside_ && view_.adopted[index_of(kind_)][c] < 1.0;
    bool ban = false;
    for (int k = 0; k < K_; ++k)
      ban = ban || (view_.env.is_banned(kind_, c, k) && view_.kind_share[index_of(kind_)][std::size_t(c) * K_ + k] > 0);
    return ban ? 1.0 : std::max(adopter_rate, waiting ? hazard : 0.0);
  }

  const World& world_;
  const Scenario& s_;
  const AgentKind kind_;
  const MonthView& view_;
  ChoiceTable& table_;
  // A copy: the weights stay in registers across the stores into the table, which could
  // otherwise alias them.
  const KindWeights w_;
  const AdoptionRule& rule_;
  const double* const constants_;
  const std::vector<double>& start_value_;
  const std::optional<int> outside_;
  const int K_, S_;
};

template <int StaticK>
void fill_table(const World& world, AgentKind kind, const MonthView& view, ChoiceTable& table) {
  CountryRows<StaticK> rows(world, kind, view, table);
  tbb::parallel_for(tbb::blocked_range<int>(0, world.country_count(), 8), [&](const tbb::blocked_range<int>& r) {
    for (int c = r.begin(); c < r.end(); ++c) rows.fill(c);
  });
}

}  // namespace

void fill_choice_table(const World& world, AgentKind kind, const MonthView& view, ChoiceTable& table) {
  const Scenario& s = world.scenario;
  const int K = s.stack_count();
  const KindWeights& w = s.kind_weights(kind);
  const PopulationLayout& layout = world.population(kind);
  const int employers = kind == AgentKind::developer && w.employer != 0 ? K + 1 : 1;
  // Every row that can be read is written by fill_table: the rows need no zeroing first.
  table.reshape(int(layout.agents_per_group.size()), K, employers);
  table.outside = s.outside_stack().value_or(-1);
  // Nobody to move (no agents, or no one who revises or adopts): the all-zero visit
  // rates say so, and the rows are never read.
  const bool no_agents = std::accumulate(layout.agents.begin(), layout.agents.end(), std::int64_t{0}) == 0;
  if (no_agents || (w.base.revise <= 0 && !s.outside_stack() && !any_ban(world, kind, view))) return;
  const auto fill = K == 2 ? &fill_table<2> : K == 3 ? &fill_table<3> : K == 4 ? &fill_table<4> : &fill_table<0>;
  fill(world, kind, view, table);
}

}  // namespace stackrace
