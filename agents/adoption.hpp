#pragma once
// How agents on the outside option (not using AI) adopt: the Bass model. In continuous
// time a non-adopter adopts at hazard p + q·A, where A is the share that has adopted,
// so dA/dt = (p + q·A)(1 − A). Over one month that ODE has a closed-form solution,
//   (p + q·A₁)/(1 − A₁) = e^{p+q} · (p + q·A₀)/(1 − A₀),
// and the probability that a non-adopter adopts during the month is (A₁ − A₀)/(1 − A₀).
// Using it, a large population follows the Bass curve exactly at every month, not
// just in the limit of short steps.
#include <algorithm>
#include <cmath>

#include "agents/attributes.hpp"

namespace stackrace {

inline double bass_monthly_hazard(double p, double q, double adopted) {
  if (p + q <= 0.0) return 0.0;
  if (adopted >= 1.0) return 1.0;
  const double ratio = std::exp(p + q) * (p + q * adopted) / (1.0 - adopted);
  const double next = (ratio - p) / (ratio + q);
  return std::clamp((next - adopted) / (1.0 - adopted), 0.0, 1.0);
}

// The Bass cumulative adoption curve from A(0) = 0: the closed form the hazard reproduces.
inline double bass_curve(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1.0 - e) / (1.0 + (q / p) * e);
}

// The innovation rate p is capped: at 50 a month e^{p+q} is still finite, and a hazard
// that high is 1 to machine precision anyway.
inline constexpr double most_innovation = 50.0;

// How much more adopting is worth now than at the start: the change in the value of
// choosing (reach.hpp, reachable_value). Where nothing can be got, now or at the start,
// there is no change to speak of (and no stack to adopt).
inline double value_gain(double value, double start_value) {
  return std::isinf(value) || std::isinf(start_value) ? 0.0 : value - start_value;
}

// The probability that a non-adopter of a kind adopts AI this month in a country with
// `gdp_per_capita` where `adopted` of its kind have (MODEL.md, 7.6.2): the Bass hazard,
// its innovation rate scaled by income and by `value_gain`, how much more adopting is
// worth than at the start (value_gain above). Firms of a size class whose firms employ
// `staff_per_firm` times a small firm's staff run the Bass clock that many times to the
// power size_elasticity faster: p and q both scale (MODEL.md, 7.6.2).
inline double adoption_hazard(const AdoptionRule& rule, double gdp_per_capita, double value_gain, double adopted,
                              double staff_per_firm = 1) {
  double p = rule.innovation * std::pow(gdp_per_capita / rule.reference_gdp_per_capita, rule.income_elasticity);
  if (rule.value_elasticity != 0) p *= std::exp(rule.value_elasticity * value_gain);
  const double clock = rule.size_elasticity != 0 ? std::pow(staff_per_firm, rule.size_elasticity) : 1.0;
  return bass_monthly_hazard(std::min(p * clock, most_innovation), rule.imitation * clock, adopted);
}

}  // namespace stackrace
