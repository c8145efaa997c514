#include "sim/comparison.hpp"

#include <cmath>
#include <numeric>

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

double t_975(int df) {
  // Student's t 0.975 quantiles for 1..30 degrees of freedom, then the normal limit
  // approached through the usual 1/df correction.
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) return INFINITY;
  if (df <= 30) return table[df - 1];
  return 1.959964 + 2.37 / double(df);
}

ShareChange paired_change(const std::vector<double>& base, const std::vector<double>& alternative) {
  std::vector<double> d(base.size());
  for (std::size_t i = 0; i < base.size(); ++i) d[i] = alternative[i] - base[i];
  ShareChange c;
  c.mean = mean_of(d);
  const double half = d.size() > 1 ? t_975(int(d.size()) - 1) * std::sqrt(variance_of(d) / double(d.size())) : INFINITY;
  c.low = c.mean - half;
  c.high = c.mean + half;
  return c;
}

ShareChange independent_change(const std::vector<double>& base, const std::vector<double>& alternative) {
  ShareChange c;
  c.mean = mean_of(alternative) - mean_of(base);
  const double vb = variance_of(base) / double(base.size()), va = variance_of(alternative) / double(alternative.size());
  const double se = std::sqrt(vb + va);
  // Welch-Satterthwaite degrees of freedom.
  const double df = (vb + va) * (vb + va) /
                    (vb * vb / double(base.size() - 1) + va * va / double(alternative.size() - 1));
  const double half = std::isfinite(df) && df >= 1 ? t_975(int(std::floor(df))) * se : INFINITY;
  c.low = c.mean - half;
  c.high = c.mean + half;
  return c;
}

}  // namespace stackrace
