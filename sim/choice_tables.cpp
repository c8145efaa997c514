#include "sim/choice_tables.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "agents/adoption.hpp"
#include "agents/stack_choice.hpp"
#include "agents/stack_utility.hpp"

namespace stackrace {
namespace {

AgentSituation situation(const Scenario& s, AgentKind kind, int country, int segment, int employer_stack,
                         const MonthView& view) {
  AgentSituation a;
  a.country = &s.countries[country];
  a.physical_industry = kind == AgentKind::firm && segment_is_physical(segment);
  a.large = kind == AgentKind::firm && segment_is_large(segment);
  a.employer_stack = employer_stack;
  a.government_stack = view.government_stack.empty() ? -1 : view.government_stack[country];
  return a;
}

// ln(price) for each stack, remembering the last price seen: a stack's price is the same
// in most countries (policies make the exceptions), so a month's table takes about one
// libm log per stack instead of one per country and stack.
class LogPrices {
 public:
  explicit LogPrices(int stacks = 0) { reset(stacks); }
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

// Utilities of every stack for one agent situation into u[0 .. K); the outside option
// gets -inf (adopters choose among AI stacks; leaving AI is the separate `abandon` rate).
// StaticK > 0 is the stack count known at compile time (see fill_table); 0: any.
template <int StaticK = 0>
void utilities(const Scenario& s, AgentKind kind, const KindWeights& w, const AgentSituation& a, const MonthView& view,
               const std::vector<double>* constants, LogPrices& log_price, std::span<double> u) {
  const int K = StaticK > 0 ? StaticK : s.stack_count();
  const int c = static_cast<int>(a.country - s.countries.data());
  const bool network = s.feedback.network;
  const StackEnvironment& env = view.env;
  const std::size_t cell = env.cell(c, 0);  // this country's [stack] entries start here
  const double capacity_penalty = view.capacity_penalty.empty() ? 0.0 : view.capacity_penalty[c];
  for (int k = 0; k < K; ++k) {
    if (s.stacks[k].outside || env.banned[index_of(kind)][cell + k]) {
      u[k] = -std::numeric_limits<double>::infinity();
      continue;
    }
    StackSight sight{k,
                     &s.stacks[k],
                     env.capability[k],
                     log_price(k, env.price[cell + k]),
                     network ? view.developer_share[cell + k] : 0.0,
                     network ? view.global_developer_share[k] : 0.0,
                     capacity_penalty,
                     constants ? (*constants)[cell + k] : 0.0,
                     env.bonus[cell + k],
                     !env.open_restricted[cell + k],
                     env.localisation[c]};
    u[k] = stack_utility(w, a, sight);
  }
}

// The share of a group's visited agents that act this month: an agent acting at `rate`
// in a group visited at `visit` acts on a visit with probability rate / visit. Rows
// mostly repeat the last pair, so its division is remembered.
class ActingShare {
 public:
  double operator()(double rate, double visit) {
    if (rate != rate_ || visit != visit_) rate_ = rate, visit_ = visit, act_ = visit > 0 ? rate / visit : 0.0;
    return act_;
  }

 private:
  double rate_ = std::numeric_limits<double>::quiet_NaN(), visit_ = std::numeric_limits<double>::quiet_NaN(), act_ = 0;
};

double log_sum_exp(std::span<const double> u) {
  double top = -std::numeric_limits<double>::infinity();
  for (double x : u) top = std::max(top, x);
  if (std::isinf(top)) return top;  // nothing available
  double sum = 0;
  for (double x : u) sum += std::exp(x - top);
  return top + std::log(sum);
}

// The value of adopting AI for the country's first segment, no employer: the logsum.
// `u` (K entries) is working space.
double adoption_value(const Scenario& s, AgentKind kind, int c, const MonthView& view, const std::vector<double>* constants,
                      LogPrices& log_price, std::span<double> u) {
  AgentSituation a = situation(s, kind, c, 0, -1, view);
  utilities(s, kind, s.kind_weights(kind), a, view, constants, log_price, u);
  return log_sum_exp(u);
}

// The target split of new adopters in a country: its users' split, with the kind's
// momentum on open-weight stacks (MODEL.md, "Calibration").
void target_split(const Scenario& s, AgentKind kind, int c, std::vector<double>& split) {
  const int K = s.stack_count();
  const double momentum = s.kind_weights(kind).calibrate_momentum;
  split.assign(K, 0.0);
  double total = 0;
  for (AgentKind source : {kind, AgentKind::developer}) {
    const std::vector<double>& share = s.countries[c].initial_share[index_of(source)];
    for (int k = 0; k < K; ++k) split[k] = s.stacks[k].outside ? 0.0 : share[k];
    total = 0;
    for (double x : split) total += x;
    if (total > 0) break;
  }
  for (int k = 0; k < K; ++k) {
    if (s.stacks[k].outside) continue;
    if (total <= 0) split[k] = 1.0;
    split[k] = std::max(split[k], 1e-4) * (s.stacks[k].open_weights ? momentum : 1.0);
  }
}

bool any_ban(const Scenario& s, AgentKind kind, const MonthView& view) {
  for (int c = 0; c < s.country_count(); ++c)
    for (int k = 0; k < s.stack_count(); ++k)
      if (view.env.is_banned(kind, c, k)) return true;
  return false;
}

}  // namespace

Calibration calibrate(const Scenario& s, const MonthView& expected_start) {
  const int K = s.stack_count(), C = s.country_count();
  Calibration cal;
  // Working space shared by every country and kind (a log of a price is the same
  // whichever country asks): a run calibrates once, and allocating these per country
  // was most of a small run's allocations.
  std::vector<double> u(K), split;
  LogPrices log_price(K);
  for (AgentKind kind : all_agent_kinds) {
    std::vector<double>& constant = cal.constant[index_of(kind)];
    constant.assign(std::size_t(C) * K, 0.0);
    if (s.kind_weights(kind).calibrate) {
      for (int c = 0; c < C; ++c) {
        // Government and employer terms are left out: they depend on the draw of the
        // starting stacks, and the constants must not.
        AgentSituation a = situation(s, kind, c, 0, -1, expected_start);
        a.government_stack = -1;
        utilities(s, kind, s.kind_weights(kind), a, expected_start, nullptr, log_price, u);
        target_split(s, kind, c, split);
        for (int k = 0; k < K; ++k)
          if (!s.stacks[k].outside) constant[std::size_t(c) * K + k] = std::log(split[k]) - u[k];
      }
    }
    std::vector<double>& value = cal.start_value[index_of(kind)];
    // Against the reference start, so that a stack made cheaper or better than its
    // reference speeds adoption from the first month.
    value.reserve(C);
    for (int c = 0; c < C; ++c) value.push_back(adoption_value(s, kind, c, expected_start, &constant, log_price, u));
  }
  return cal;
}

namespace {

// The month's rows and visit rates for a table already shaped. StaticK > 0 is the stack
// count known at compile time, for the usual 2 or 3 stacks: the many short loops over
// stacks unroll, which took a third of the instructions out of a small run's tables.
// 0: any count.
template <int StaticK>
void fill_table(const Scenario& s, AgentKind kind, const AgentPopulation& population, const MonthView& view,
                const Calibration& calibration, ChoiceTable& table) {
  const int K = StaticK > 0 ? StaticK : s.stack_count(), C = s.country_count(), S = population.segments;
  // A copy: the weights stay in registers across the stores into the table, which could
  // otherwise alias them.
  const KindWeights w = s.kind_weights(kind);
  const AdoptionRule& rule = s.adoption_rule(kind);
  const std::vector<double>& constants = calibration.constant[index_of(kind)];
  const auto outside = s.outside_stack();
  const int employers = table.employers;

  // Each group's utilities without the employer's pull, which is all that differs
  // between a group's rows: computed once per group, not once per row.
  const int G = population.group_count();
  // Working space kept by this thread between months (a table is refilled every month,
  // and nothing here runs other tasks that could reenter it): no allocation per table.
  thread_local struct {
    std::vector<double> group_utility, hazard;
    LogPrices log_price;
  } kept;
  std::vector<double>& group_utility = kept.group_utility;
  group_utility.resize(std::size_t(G) * K);
  LogPrices& log_price = kept.log_price;
  log_price.reset(K);
  // Groups are [country][segment]: g = c * S + segment (walked, not divided: an integer
  // division per group was a visible part of a small run's month).
  for (int c = 0, g = 0; c < C; ++c)
    for (int segment = 0; segment < S; ++segment, ++g) {
      AgentSituation a = situation(s, kind, c, segment, -1, view);
      utilities<StaticK>(s, kind, w, a, view, &constants, log_price,
                         {group_utility.data() + std::size_t(g) * K, std::size_t(K)});
    }

  // Monthly probability that a non-adopter adopts, per country (Bass, agents/adoption.hpp).
  std::vector<double>& hazard = kept.hazard;
  hazard.assign(C, 0.0);
  const double adopter_rate = std::min(1.0, w.base.revise + (outside ? rule.abandon : 0.0));
  if (outside) {
    for (int c = 0; c < C; ++c) {
      double p = rule.innovation * std::pow(s.countries[c].gdp_per_capita / rule.reference_gdp_per_capita,
                                            rule.income_elasticity);
      // The value of adopting is the logsum of the first segment's utilities (as adoption_value).
      const std::span<const double> first(group_utility.data() + std::size_t(c) * S * K, std::size_t(K));
      if (rule.value_elasticity != 0)
        p *= std::exp(rule.value_elasticity * (log_sum_exp(first) - calibration.start_value[index_of(kind)][c]));
      hazard[c] = bass_monthly_hazard(std::min(p, 50.0), rule.imitation, view.adopted[index_of(kind)][c]);
    }
  }
  // Each group is visited at the fastest rate any of its agents acts: adopters revise,
  // non-adopters adopt (only where some are left).
  // Where a stack is banned for this kind, its users must leave it this month: the
  // whole group is visited.
  // The rate depends only on the country: all its segments share it.
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
  auto u_storage = scratch(), p_storage = scratch();
  const std::span<double> u(u_storage.data(), std::size_t(K)), p(p_storage.data(), std::size_t(K));
  SituationOdds<StaticK> odds;
  ActingShare acting;
  for (int c = 0; c < C; ++c)
    for (int segment = 0, g = c * S; segment < S; ++segment, ++g) {
      const double visit = table.visit_rate[g];
      const std::uint8_t* const banned_here = view.env.banned[index_of(kind)].data() + view.env.cell(c, 0);
      const double* const lock_in = view.env.lock_in.data() + view.env.cell(c, 0);
      for (int e = 0; e < employers; ++e) {
        const int employer_stack = employers > 1 && e < K ? e : -1;
        for (int k = 0; k < K; ++k) u[k] = group_utility[std::size_t(g) * K + k] + employer_pull(w, k, employer_stack);
        odds.assign(u);
        for (int current = 0; current < K; ++current) {
          const std::span<double> row(table.cumulative.data() + table.offset(g, current, e), std::size_t(K));
          const bool waiting = outside && current == *outside;
          const bool banned = banned_here[current];
          const double rate = banned ? 1.0 : waiting ? hazard[c] : w.base.revise;
          const double act = acting(rate, visit);
          // Leaving a stack costs the switching cost plus any lock-in (infrastructure bundles).
          const double leave = w.base.switching_cost + (waiting ? 0.0 : lock_in[current]);
          const bool any = odds.probabilities(waiting ? -1 : current, leave, p);
          for (int k = 0; k < K; ++k) row[k] = act * p[k];
          // With nothing available, users of a banned stack fall back to the outside option.
          if (!any && banned && outside) row[*outside] += act;
          if (outside && !waiting && !banned && visit > 0) row[*outside] += rule.abandon / visit;
          double moved = 0;
          for (double x : row) moved += x;
          row[current] += std::max(0.0, 1.0 - moved);
          cumulate(row);
        }
      }
    }
}

}  // namespace

void fill_choice_table(const Scenario& s, AgentKind kind, const AgentPopulation& population, const MonthView& view,
                       const Calibration& calibration, ChoiceTable& table) {
  const int K = s.stack_count();
  const KindWeights& w = s.kind_weights(kind);
  const int employers = kind == AgentKind::developer && w.employer != 0 ? K + 1 : 1;
  // Every row that can be read is written by fill_table: the rows need no zeroing first.
  table.reshape(population.group_count(), K, employers);
  // Nobody to move (no agents, or no one who revises or adopts): the all-zero visit
  // rates say so, and the rows are never read.
  if (population.size() == 0 || (w.base.revise <= 0 && !s.outside_stack() && !any_ban(s, kind, view))) return;
  const auto fill = K == 2 ? &fill_table<2> : K == 3 ? &fill_table<3> : &fill_table<0>;
  fill(s, kind, population, view, calibration, table);
}

}  // namespace stackrace
