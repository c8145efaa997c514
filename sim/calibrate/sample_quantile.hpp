#pragma once
// The q-quantile of a sample, linearly interpolated between order statistics (NumPy's
// and pandas' default): posterior intervals (recovery_check.cpp) and the spread of a
// policy's effect over posterior draws (sim/cli/comparison.cpp).
#include <algorithm>
#include <cstddef>
#include <vector>

namespace stackrace {

inline double sample_quantile(std::vector<double> x, double q) {
  std::sort(x.begin(), x.end());
  const double at = q * double(x.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(at), hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (at - double(lo)) * (x[hi] - x[lo]);
}

}  // namespace stackrace
