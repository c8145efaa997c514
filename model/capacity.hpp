#pragma once
// Capacity limits (MODEL.md, 7.3): self-hosted (open-weight) use beyond a country's
// data-centre power costs utility. Every user of an open-weight stack, developer or
// firm, counts as self-hosting demand; capacity grows with the country's electricity.
#include <algorithm>
#include <cmath>

#include "model/scenario.hpp"

namespace stackrace {

// The utility lost this month (t) by open-weight stacks in country c, where
// `open_users` real developers and firms use them and bundles have built `extra_mw`.
inline double capacity_penalty(const Scenario& s, int c, int t, double open_users, double extra_mw = 0) {
  const CountrySpec& spec = s.countries[c];
  // No data-centre power given means no limit: a bundle's power does not make one.
  if (!s.feedback.capacity_limits || spec.datacenter_mw <= 0) return 0.0;
  const double capacity = spec.datacenter_mw * std::pow(1.0 + spec.electricity_growth, t / 12.0) + extra_mw;
  const double demand = open_users / 1e6 * s.compute.mw_per_million_users;
  return s.compute.capacity_penalty * std::max(0.0, demand / capacity - 1.0);
}

}  // namespace stackrace
