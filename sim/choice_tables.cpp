#include "sim/choice_tables.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "agents/adoption.hpp"
#include "agents/reach.hpp"
#include "agents/stack_choice.hpp"
#include "model/utilities.hpp"
#include "sim/situation_rows.hpp"

namespace stackrace {
namespace {

// ln(price) for each stack, remembering the last price seen: a stack's price is the same
// in most countries (policies make the exceptions), so a month's table takes about one
// libm log per stack instead of one per country and stack.
class LogPrices {
 public:
  // Forgets every price seen, keeping the storage.
  void reset(int stacks) {
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

// The month's rows and visit rates for a table already shaped. StaticK > 0 is the stack
// count known at compile time, for the usual 2, 3 or 4 stacks: the many short loops over
// stacks unroll. 0: any count.
template <int StaticK>
void fill_table(const World& world, AgentKind kind, const MonthView& view, ChoiceTable& table) {
  const Scenario& s = world.scenario;
  const int K = StaticK > 0 ? StaticK : s.stack_count(), C = s.country_count();
  const int S = world.population(kind).segments;
  // A copy: the weights stay in registers across the stores into the table, which could
  // otherwise alias them.
  const KindWeights w = s.kind_weights(kind);
  const AdoptionRule& rule = s.adoption_rule(kind);
  const double* const constants = world.calibration.constant[index_of(kind)].data();
  const std::vector<double>& start_value = world.calibration.start_value[index_of(kind)];
  const auto outside = s.outside_stack();
  const int employers = table.employers;
  const int G = table.groups;

  // Working space kept by this thread between months (a table is refilled every month,
  // and nothing here runs other tasks that could reenter it): no allocation per table.
  thread_local struct {
    std::vector<double> group_utility, hazard;
    LogPrices log_price;
  } kept;
  std::vector<double>& group_utility = kept.group_utility;
  group_utility.resize(std::size_t(G) * K);
  kept.log_price.reset(K);
  // Each group's utilities without the employer's pull, which is all that differs
  // between a group's rows: computed once per group, not once per row. Groups are
  // [country][segment], g = c * S + segment.
  for (int c = 0, g = 0; c < C; ++c)
    for (int segment = 0; segment < S; ++segment, ++g) {
      const AgentSituation a = group_situation(s, kind, c, segment, view);
      for (int k = 0; k < K; ++k)
        group_utility[std::size_t(g) * K + k] = stack_value(s, kind, w, a, c, k, view, constants, kept.log_price);
    }

  // The monthly probability that a non-adopter adopts, per country; the value of
  // adopting is the logsum of the country's first segment's utilities, no employer,
  // each stack's odds weighed by its reach.
  std::vector<double>& hazard = kept.hazard;
  hazard.assign(C, 0.0);
  if (outside) {
    for (int c = 0; c < C; ++c) {
      const std::span<const double> first(group_utility.data() + std::size_t(c) * S * K, std::size_t(K));
      const double gain =
          rule.value_elasticity != 0 ? value_gain(reachable_value(first, view.env.reach_in(kind, c)), start_value[c]) : 0.0;
      hazard[c] = adoption_hazard(rule, s.countries[c].gdp_per_capita, gain, view.adopted[index_of(kind)][c]);
    }
  }
  // Each group is visited at the fastest rate any of its agents acts: adopters revise or
  // abandon, non-adopters adopt (only where some are left). Where a stack is banned for
  // this kind, its users must leave it this month: the whole group is visited. The rate
  // depends only on the country: all its segments share it.
  const double adopter_rate = std::min(1.0, w.base.revise + (outside ? rule.abandon : 0.0));
  for (int c = 0; c < C; ++c) {
    const bool waiting = outside && view.adopted[index_of(kind)][c] < 1.0;
    bool ban = false;
    for (int k = 0; k < K; ++k)
      ban = ban || (view.env.is_banned(kind, c, k) && view.kind_share[index_of(kind)][std::size_t(c) * K + k] > 0);
    const double rate = ban ? 1.0 : std::max(adopter_rate, waiting ? hazard[c] : 0.0);
    std::fill_n(table.visit_rate.begin() + std::ptrdiff_t(c) * S, S, rate);
  }

  // Spans of K entries, K a constant where it is known: their loops unroll.
  auto scratch = [K] {
    if constexpr (StaticK > 0) return std::array<double, StaticK>{};
    else return std::vector<double>(K);
  };
  auto u_storage = scratch();
  const std::span<double> u(u_storage.data(), std::size_t(K));
  SituationRows<StaticK> rows;
  const std::size_t stride = std::size_t(employers) * K;  // from one current stack's row to the next
  for (int c = 0; c < C; ++c) {
    const SituationMonth month{0.0,
                               {w.base.revise, hazard[c], rule.abandon},
                               view.env.banned[index_of(kind)].data() + view.env.cell(c, 0),
                               view.env.lock_in.data() + view.env.cell(c, 0),
                               view.env.reach[index_of(kind)].data() + view.env.cell(c, 0),
                               w.base.switching_cost,
                               outside ? *outside : -1};
    for (int segment = 0, g = c * S; segment < S; ++segment, ++g) {
      SituationMonth group = month;
      group.visit = table.visit_rate[g];
      for (int e = 0; e < employers; ++e) {
        const int employer_stack = employers > 1 && e < K ? e : -1;
        for (int k = 0; k < K; ++k) u[k] = group_utility[std::size_t(g) * K + k] + employer_pull(w, k, employer_stack);
        rows.fill(u, group, table.cumulative.data() + table.offset(g, 0, e), stride);
      }
    }
  }
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
  // Nobody to move (no agents, or no one who revises or adopts): the all-zero visit
  // rates say so, and the rows are never read.
  const bool no_agents = std::accumulate(layout.agents.begin(), layout.agents.end(), std::int64_t{0}) == 0;
  if (no_agents || (w.base.revise <= 0 && !s.outside_stack() && !any_ban(world, kind, view))) return;
  const auto fill = K == 2 ? &fill_table<2> : K == 3 ? &fill_table<3> : K == 4 ? &fill_table<4> : &fill_table<0>;
  fill(world, kind, view, table);
}

}  // namespace stackrace
