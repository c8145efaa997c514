#pragma once
// Capital (MODEL.md 7.2, "Capital and compute"): a bloc's AI chips are what its
// investment buys, less what wears out. Where a bloc's investment is given,
//
//   chips_b(t) = chips_b(t−1) + (κ_b(t) · I_b(t) − δ · chips_b(t−1)) · (1 − cut_b(t))
//   (the cut applies to net additions only: a shrinking stock is not cut further)
//
// with I_b its AI capital spending a month, growing at its own rate, which halves every
// `compute.investment_growth_halving_years`; κ_b(t) the compute a dollar buys in the bloc
// (H100-equivalents per million USD, in units of the world's compute at the start),
// rising with price-performance; δ the share of chips retired each month. A bloc's
// dollars may buy less compute than another's (its chips are dearer, or its suppliers'
// are barred to it). Without investment the chips grow at `growth`
// (model/stack_dynamics.cpp).
#include <cmath>

#include "model/scenario.hpp"
#include "model/slowing_growth.hpp"

namespace stackrace {

// Whether the bloc's chips follow its investment.
inline bool invests(const Scenario& s, const BlocCompute& bloc) {
  return s.feedback.capital && bloc.investment_usd_per_year > 0;
}

// I_b(t): the bloc's AI capital spending in month t, USD a month: I_b(0)/12 in the first
// month (t = 1), growing from there.
inline double investment_at(const ComputeDynamics& c, const BlocCompute& bloc, int t) {
  return bloc.investment_usd_per_year / 12.0 *
         slowing_growth(bloc.investment_growth, (t - 1) / 12.0, c.investment_growth_halving_years);
}

// κ_b(t) I_b(t): the chips the bloc's month-t spending buys, in units of the world's AI
// compute at the start, before export controls cut them.
inline double chips_bought(const ComputeDynamics& c, const BlocCompute& bloc, int t) {
  const double per_usd = bloc.h100e_per_million_usd / 1e6 / c.world_h100e;
  return per_usd * std::pow(1.0 + c.price_performance_growth, t - 1) * investment_at(c, bloc, t);
}

}  // namespace stackrace
