#pragma once
// Power (MODEL.md 7.3): a country's data-centre power grows at its build-out rate, up to
// a share of its grid; what its users run on open weights is served there (self-hosted),
// and the tokens they use need power. Use beyond the power AI may draw costs open-weight
// stacks utility. Closed stacks are served from their providers' own clouds.
#include <algorithm>
#include <cmath>

#include "model/scenario.hpp"

namespace stackrace {

inline constexpr double seconds_a_month = 365.25 * 86'400.0 / 12.0;

// Country c's data-centre power in month t, before bundles (MW): its build-out,
// MW_c (1 + g_c)^(t/12), until data centres reach the share σ of the grid's generating
// capacity at which a grid operator stopped connecting new ones (Ireland); from there it
// grows only with the grid, (1 + e_c)^(t/12). A country above that share at the start
// keeps what it has and grows with its grid.
inline double datacenter_power(const ComputeDynamics& compute, const CountrySpec& country, int t) {
  const double built = country.datacenter_mw * std::pow(1.0 + country.build_out(), t / 12.0);
  if (compute.grid_share_limit <= 0 || country.electricity_gw <= 0) return built;
  const double ceiling = std::max(country.datacenter_mw, compute.grid_share_limit * country.electricity_gw * 1e3);
  return std::min(built, ceiling * std::pow(1.0 + country.electricity_growth, t / 12.0));
}

// The power (MW) `tokens` a month need in month t: energy per token falls as compute per
// watt rises.
inline double token_load_mw(const ComputeDynamics& compute, double tokens, int t) {
  const double joules = compute.joules_per_token * std::pow(1.0 + compute.efficiency_growth, -t);
  return tokens * joules / seconds_a_month / 1e6;
}

// The power AI may draw in country c in month t (MW): its share of the data centres,
// plus what built bundles brought (all of it for AI). 0: no limit.
inline double ai_power(const Scenario& s, int c, int t, double extra_mw) {
  const CountrySpec& spec = s.countries[c];
  // No data-centre power given means no limit: a bundle's power does not make one.
  if (spec.datacenter_mw <= 0) return 0.0;
  return s.compute.ai_power_share * datacenter_power(s.compute, spec, t) + extra_mw;
}

// The utility lost this month by open-weight stacks in a country whose self-hosted load
// is `load` of the power AI may draw there.
inline double capacity_penalty(const Scenario& s, double load) {
  if (!s.feedback.capacity_limits) return 0.0;
  return s.compute.capacity_penalty * std::max(0.0, load - 1.0);
}

}  // namespace stackrace
