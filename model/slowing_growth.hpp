#pragma once
// Growth whose rate halves every `halving_years` (talent: model/talent.hpp; capital:
// model/capital.hpp): after `years`, a quantity growing at `yearly_growth` at year 0 is
//   exp(g · τ · (1 − e^(−years/τ))),   g = ln(1 + yearly_growth), τ = halving_years / ln 2
// times what it was, or (1 + yearly_growth)^years when the rate never slows
// (halving_years ≤ 0). Negative `years` run it backwards.
#include <cmath>

namespace stackrace {

inline double slowing_growth(double yearly_growth, double years, double halving_years) {
  const double rate = std::log1p(yearly_growth);
  if (halving_years <= 0) return std::exp(rate * years);
  const double tau = halving_years / std::log(2.0);
  return std::exp(rate * tau * -std::expm1(-years / tau));
}

}  // namespace stackrace
