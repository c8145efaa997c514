#pragma once
// Statistics for comparing two scenarios over replicate runs: the change in a share
// (alternative minus base) with a 95% confidence interval. With common random numbers
// (replicate i of both scenarios has the same seed) the runs are paired, and the paired
// interval is the right one; with independent seeds, Welch's.
#include <vector>

namespace stackrace {

struct ShareChange {
  double mean = 0;
  double low = 0;   // 95% confidence interval
  double high = 0;
  double half_width() const { return (high - low) / 2; }
};

// Student's t quantile t_{0.975}(df), df > 0 (fractional for Welch's intervals).
double t_975(double df);

ShareChange paired_change(const std::vector<double>& base, const std::vector<double>& alternative);
ShareChange independent_change(const std::vector<double>& base, const std::vector<double>& alternative);

}  // namespace stackrace
