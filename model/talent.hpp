#pragma once
// Talent: each country's developers grow at their own rate (MODEL.md 7.2b). The agents
// stay as many; each stands for more developers as its country's grow, so the world's
// aggregates — the developer shares every agent sees, the usage, the output — weigh
// fast-growing countries more from month to month. The rate is the country's measured
// growth when its developers were counted (`talent.counted`); from there it halves every
// `talent.growth_halving_years` (0: it never slows), so that a decade's growth is not a
// straight extrapolation of today's. Counts taken after the start are grown backwards.
#include "model/scenario.hpp"
#include "model/slowing_growth.hpp"

namespace stackrace {

// Country c's developers in month t over its developers as counted, (t − counted) / 12
// years after the count.
inline double developer_growth_factor(const Scenario& s, int c, int t) {
  const double growth = s.countries[c].developer_growth;
  if (!s.feedback.talent_growth || growth == 0) return 1.0;
  return slowing_growth(growth, (t - s.talent.counted_month) / 12.0, s.talent.growth_halving_years);
}

}  // namespace stackrace
