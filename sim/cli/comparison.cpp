#include "sim/cli/comparison.hpp"

#include <cmath>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>

namespace stackrace {
namespace {

double mean_of(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0) / double(x.size()); }

double variance_of(const std::vector<double>& x) {
  if (x.size() < 2) return 0.0;
  const double m = mean_of(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / double(x.size() - 1);
}

}  // namespace

double t_975(double df) {
  // Exact (Boost.Math): a 3-decimal table was enough for the intervals printed, but not
  // to agree with the analysis package (scipy) in the last printed digit.
  if (!(df > 0)) return INFINITY;
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), 0.975);
}

ShareChange paired_change(const std::vector<double>& base, const std::vector<double>& alternative) {
  std::vector<double> d(base.size());
  for (std::size_t i = 0; i < base.size(); ++i) d[i] = alternative[i] - base[i];
  ShareChange c;
  c.mean = mean_of(d);
  const double half = d.size() > 1 ? t_975(double(d.size()) - 1) * std::sqrt(variance_of(d) / double(d.size())) : INFINITY;
  c.low = c.mean - half;
  c.high = c.mean + half;
  return c;
}

ShareChange independent_change(const std::vector<double>& base, const std::vector<double>& alternative) {
  ShareChange c;
  c.mean = mean_of(alternative) - mean_of(base);
  const double vb = variance_of(base) / double(base.size()), va = variance_of(alternative) / double(alternative.size());
  const double se = std::sqrt(vb + va);
  // Welch-Satterthwaite degrees of freedom, fractional as they come.
  const double df = (vb + va) * (vb + va) /
                    (vb * vb / double(base.size() - 1) + va * va / double(alternative.size() - 1));
  const double half = std::isfinite(df) && df >= 1 ? t_975(df) * se : INFINITY;
  c.low = c.mean - half;
  c.high = c.mean + half;
  return c;
}

}  // namespace stackrace
