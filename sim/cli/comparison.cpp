#include "sim/cli/comparison.hpp"

#include "sim/calibrate/sample_quantile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>
#include <tbb/parallel_for.h>

namespace stackrace {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Mean and sample variance (n - 1) of the values that are not NaN, and how many there are.
struct Moments {
  std::int64_t n = 0;
  double mean = nan;
  double variance = nan;  // NaN for n < 2
};

Moments moments_of(std::span<const double> x) {
  Moments m;
  double sum = 0;
  for (double v : x)
    if (!std::isnan(v)) sum += v, ++m.n;
  if (m.n == 0) return m;
  m.mean = sum / double(m.n);
  if (m.n < 2) return m;
  double s = 0;
  for (double v : x)
    if (!std::isnan(v)) s += (v - m.mean) * (v - m.mean);
  m.variance = s / double(m.n - 1);
  return m;
}

// t_quantile, remembering the last one asked for on this thread: paired intervals ask
// for the same one in every cell of a comparison.
double last_t_quantile(double p, double df) {
  thread_local double last_p = nan, last_df = nan, last = nan;
  if (p != last_p || df != last_df) last_p = p, last_df = df, last = t_quantile(p, df);
  return last;
}

// The change with a half-width of t_p(df) * se: zero width where there is no spread.
ShareChange interval(double mean, double se, double df, std::int64_t n, double confidence) {
  ShareChange c{mean, nan, nan, n};
  if (n < 2 || std::isnan(se)) return c;
  const double half = se > 0 ? last_t_quantile((1 + confidence) / 2, df) * se : 0.0;
  c.low = mean - half;
  c.high = mean + half;
  return c;
}

std::string percentage_points(double x) {
  if (std::isnan(x)) return "   n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%+6.2f", 100 * x);
  return text;
}

}  // namespace

double t_quantile(double p, double df) {
  // Exact (Boost.Math), at fractional df too: a 3-decimal table was enough for the
  // intervals printed, but not to agree with scipy's in the last printed digit.
  if (!(df > 0) || !(p > 0 && p < 1)) return nan;
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

ShareChange paired_change(std::span<const double> base, std::span<const double> alternative, double confidence) {
  if (base.size() != alternative.size()) throw std::invalid_argument("paired_change: arms of different sizes");
  std::vector<double> d(base.size());
  for (std::size_t i = 0; i < base.size(); ++i) d[i] = alternative[i] - base[i];  // NaN if either is
  const Moments m = moments_of(d);
  return interval(m.mean, std::sqrt(m.variance / double(m.n)), double(m.n - 1), m.n, confidence);
}

ShareChange independent_change(std::span<const double> base, std::span<const double> alternative,
                               double confidence) {
  const Moments b = moments_of(base), a = moments_of(alternative);
  const std::int64_t n = std::min(b.n, a.n);
  const double mean = n > 0 ? a.mean - b.mean : nan;
  if (n < 2) return interval(mean, nan, nan, n, confidence);
  const double vb = b.variance / double(b.n), va = a.variance / double(a.n);
  // Welch-Satterthwaite degrees of freedom, fractional as they come.
  const double df = (vb + va) * (vb + va) / (vb * vb / double(b.n - 1) + va * va / double(a.n - 1));
  return interval(mean, std::sqrt(vb + va), df, n, confidence);
}

std::string level_text(double confidence) {
  char text[32];
  std::snprintf(text, sizeof text, "%g%%", 100 * confidence);
  return text;
}

std::string format_change(const ShareChange& c) {
  return percentage_points(c.mean) + " pp [" + percentage_points(c.low) + ", " + percentage_points(c.high) + "]";
}

namespace {

void set_cell(EffectColumns& columns, std::size_t i, const ShareChange& c) {
  columns.mean[i] = c.mean, columns.low[i] = c.low, columns.high[i] = c.high, columns.n[i] = c.n;
}

ShareChange cell(const EffectColumns& columns, std::size_t i) {
  return {columns.mean[i], columns.low[i], columns.high[i], columns.n[i]};
}

EffectColumns columns_of(std::size_t cells) {
  return {std::vector<double>(cells, nan), std::vector<double>(cells, nan), std::vector<double>(cells, nan),
          std::vector<std::int64_t>(cells, 0)};
}

}  // namespace

ShareChange Effects::at(int t, int c, AgentKind kind, int k) const {
  return cell(local, ((std::size_t(t) * countries + c) * agent_kind_count + index_of(kind)) * stacks + k);
}

ShareChange Effects::global_at(int t, AgentKind kind, int k) const {
  return cell(global, (std::size_t(t) * agent_kind_count + index_of(kind)) * stacks + k);
}

Effects compare_effects(const std::vector<RunResult>& base, const std::vector<RunResult>& alternative,
                        Interval interval, double confidence) {
  if (base.empty() || alternative.empty()) throw std::invalid_argument("compare_effects: an arm without runs");
  if (interval == Interval::paired && base.size() != alternative.size())
    throw std::invalid_argument("compare_effects: paired arms of different sizes");
  Effects e;
  e.times = base.front().times, e.countries = base.front().countries, e.stacks = base.front().stacks;
  e.interval = interval, e.confidence = confidence;
  for (const auto* arm : {&base, &alternative})
    for (const RunResult& r : *arm)
      if (r.times != e.times || r.countries != e.countries || r.stacks != e.stacks)
        throw std::invalid_argument("compare_effects: runs of different shapes");
  const int T = e.times, C = e.countries, K = e.stacks;
  e.local = columns_of(std::size_t(T) * C * agent_kind_count * K);
  e.global = columns_of(std::size_t(T) * agent_kind_count * K);
  auto change = [&](std::span<const double> b, std::span<const double> a) {
    return interval == Interval::paired ? paired_change(b, a, confidence) : independent_change(b, a, confidence);
  };
  // Months are independent; each has a few thousand cells, each a t quantile (Welch's
  // differ per cell).
  tbb::parallel_for(0, T, [&](int t) {
    std::vector<double> b(base.size()), a(alternative.size());
    for (AgentKind kind : all_agent_kinds)
      for (int k = 0; k < K; ++k) {
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = base[i].global_share_at(t, kind, k);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = alternative[i].global_share_at(t, kind, k);
        set_cell(e.global, (std::size_t(t) * agent_kind_count + index_of(kind)) * K + k, change(b, a));
        for (int c = 0; c < C; ++c) {
          for (std::size_t i = 0; i < b.size(); ++i) b[i] = base[i].share_at(t, c, kind, k);
          for (std::size_t i = 0; i < a.size(); ++i) a[i] = alternative[i].share_at(t, c, kind, k);
          set_cell(e.local, ((std::size_t(t) * C + c) * agent_kind_count + index_of(kind)) * K + k, change(b, a));
        }
      }
  });
  return e;
}

SpreadColumns posterior_spread(const std::vector<RunResult>& base, const std::vector<RunResult>& alternative,
                               int draws, int replicates) {
  if (base.size() != std::size_t(draws) * replicates || alternative.size() != base.size())
    throw std::invalid_argument("posterior_spread: arms are not draws x replicates");
  const int T = base.front().times, K = base.front().stacks, D = draws, R = replicates;
  const std::size_t cells = std::size_t(T) * agent_kind_count * K;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SpreadColumns s{std::vector<double>(cells, nan), std::vector<double>(cells, nan), std::vector<double>(cells, nan),
                  std::vector<double>(cells, nan)};
  tbb::parallel_for(0, T, [&](int t) {
    std::vector<double> means(D);
    for (AgentKind kind : all_agent_kinds)
      for (int k = 0; k < K; ++k) {
        double within = 0;  // sum of squared deviations from each draw's mean
        for (int d = 0; d < D; ++d) {
          double sum = 0, squares = 0;
          for (int r = 0; r < R; ++r) {
            const std::size_t i = std::size_t(d) * R + r;
            const double x = alternative[i].global_share_at(t, kind, k) - base[i].global_share_at(t, kind, k);
            sum += x, squares += x * x;
          }
          means[d] = sum / R;
          within += squares - sum * sum / R;
        }
        const std::size_t cell = (std::size_t(t) * agent_kind_count + index_of(kind)) * K + k;
        double grand = 0, between = 0;
        for (double m : means) grand += m / D;
        for (double m : means) between += (m - grand) * (m - grand);
        const double noise_var = R > 1 ? std::max(0.0, within) / (double(D) * (R - 1)) : nan;
        const double draws_var = D > 1 ? between / (D - 1) : nan;
        s.draw_low[cell] = sample_quantile(means, 0.05);
        s.draw_high[cell] = sample_quantile(means, 0.95);
        s.noise_sd[cell] = std::sqrt(noise_var);
        s.parameter_sd[cell] = D > 1 ? std::sqrt(std::max(0.0, draws_var - (R > 1 ? noise_var / R : 0.0))) : nan;
      }
  });
  return s;
}

}  // namespace stackrace
