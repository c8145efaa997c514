#pragma once
// A government's decision on an offered infrastructure bundle: it accepts with logistic
// probability in its affinity to the offering bloc and whether it already uses the
// bundle's stack.
#include <cmath>

#include "agents/stack_utility.hpp"

namespace stackrace {

inline double bundle_acceptance(double base, double alignment_weight, double government_weight, Bloc country_alignment,
                                Bloc offered_by, bool government_uses_stack) {
  const double v = base + alignment_weight * bloc_affinity(country_alignment, offered_by) +
                   government_weight * (government_uses_stack ? 1.0 : 0.0);
  return 1.0 / (1.0 + std::exp(-v));
}

}  // namespace stackrace
