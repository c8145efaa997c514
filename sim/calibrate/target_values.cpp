#include "sim/calibrate/target_values.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/talent.hpp"
#include "worlds/record_groups.hpp"

namespace stackrace {

TargetValues::TargetValues(const Scenario& s, const std::vector<CalibrationTarget>& targets)
    : outside_(s.outside_stack().value_or(-1)) {
  for (const CalibrationTarget& t : targets) {
    const RecordTarget& o = t.observed;
    Compared c;
    c.quantity = o.quantity == "adoption"               ? Compared::Quantity::adoption
                 : o.quantity == "stack_share_of_users" ? Compared::Quantity::share_of_users
                 : o.quantity == "price"                ? Compared::Quantity::price
                                                        : Compared::Quantity::gap;
    // People's stack shares are compared with developers' (worlds/record/README.md).
    c.kind = o.kind == "country" ? AgentKind::country : o.kind == "firm" ? AgentKind::firm : AgentKind::developer;
    c.month = t.month;
    c.countries = countries_of(s, o.country);
    for (int country : c.countries)
      c.growth.push_back(c.kind == AgentKind::developer ? developer_growth_factor(s, country, c.month) : 1.0);
    if (c.kind == AgentKind::firm) {
      // Enterprise surveys count firms of 10+ staff (Eurostat, Destatis): a figure of no
      // size class is compared with the model's small, medium and large firms.
      c.sizes = o.firm_size.empty() ? std::vector<int>{small_size, medium_size, large_size}
                                    : std::vector<int>{o.firm_size == "small"    ? small_size
                                                       : o.firm_size == "medium" ? medium_size
                                                                                 : large_size};
      for (int country : c.countries) {
        BySize firms{};
        for (int size = 0; size < firm_size_count; ++size)
          firms[size] = s.countries[country].firms * s.countries[country].firm_size_share[size];
        c.firms.push_back(firms);
      }
    }
    c.stacks = stacks_of(s, o.stack);
    c.centre = 0.5 * (o.low + o.high);
    c.sd = t.sd;
    c.fitted = t.fitted;
    compared_.push_back(std::move(c));
  }
}

// The share of the target's firms of its size classes on `stacks` in its month, each
// country's class weighed by its real firms.
double TargetValues::firm_share(const RunResult& run, const Compared& c, const std::vector<int>& stacks) const {
  double on = 0, total = 0;
  for (std::size_t i = 0; i < c.countries.size(); ++i)
    for (int size : c.sizes) {
      const double firms = c.firms[i][size];
      double sum = 0;
      for (int k : stacks) sum += run.size_share[run.size_cell(c.month, c.countries[i], size, k)];
      if (!(firms > 0) || std::isnan(sum)) continue;  // no agents of the class there: it counts for nothing
      on += firms * sum;
      total += firms;
    }
  return total > 0 ? on / total : std::numeric_limits<double>::quiet_NaN();
}

// The weighted share of the target's countries on `stacks` in its month.
double TargetValues::share(const RunResult& run, const Compared& c, const std::vector<int>& stacks) const {
  if (c.kind == AgentKind::firm) return firm_share(run, c, stacks);
  double on = 0, total = 0;
  for (std::size_t i = 0; i < c.countries.size(); ++i) {
    const int country = c.countries[i];
    const std::size_t ck = std::size_t(country) * agent_kind_count + index_of(c.kind);
    const double weight = double(run.agents[ck]) * run.weight[ck] * c.growth[i];
    if (!(weight > 0)) continue;  // no agents of the kind there: its share is NaN, and counts for nothing
    double sum = 0;
    for (int k : stacks) sum += run.share_at(c.month, country, c.kind, k);
    on += weight * sum;
    total += weight;
  }
  return total > 0 ? on / total : std::numeric_limits<double>::quiet_NaN();
}

double TargetValues::value(const RunResult& run, const Compared& c) const {
  switch (c.quantity) {
    case Compared::Quantity::adoption: return outside_ < 0 ? 1.0 : 1.0 - share(run, c, {outside_});
    case Compared::Quantity::share_of_users: {
      const double users = outside_ < 0 ? 1.0 : 1.0 - share(run, c, {outside_});
      return users > 0 ? share(run, c, c.stacks) / users : std::numeric_limits<double>::quiet_NaN();
    }
    case Compared::Quantity::price: return run.price[std::size_t(c.month) * run.stacks + c.stacks.front()];
    case Compared::Quantity::gap: {
      auto frontier = [&](int t) {
        double best = -std::numeric_limits<double>::infinity();
        for (int k = 0; k < run.stacks; ++k)
          if (k != outside_) best = std::max(best, run.capability[std::size_t(t) * run.stacks + k]);
        return best;
      };
      const double growth = (frontier(run.times - 1) - frontier(0)) / std::max(1, run.times - 1);
      if (!(growth > 0)) return std::numeric_limits<double>::quiet_NaN();
      double follower = -std::numeric_limits<double>::infinity();
      for (int k : c.stacks) follower = std::max(follower, run.capability[std::size_t(c.month) * run.stacks + k]);
      return (frontier(c.month) - follower) / growth;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<float> TargetValues::of(const RunResult& run) const {
  std::vector<float> values(compared_.size());
  for (std::size_t i = 0; i < compared_.size(); ++i) values[i] = static_cast<float>(value(run, compared_[i]));
  return values;
}

TargetValues TargetValues::observed_at(const std::vector<double>& centres) const {
  TargetValues other = *this;
  for (std::size_t i = 0; i < compared_.size(); ++i) other.compared_[i].centre = centres[i];
  return other;
}

double TargetValues::distance2(const std::vector<float>& values) const {
  double sum = 0;
  for (std::size_t i = 0; i < compared_.size(); ++i) {
    if (!compared_[i].fitted) continue;
    const double x = (double(values[i]) - compared_[i].centre) / compared_[i].sd;
    if (!std::isfinite(x)) return std::numeric_limits<double>::infinity();
    sum += x * x;
  }
  return sum;
}

}  // namespace stackrace
