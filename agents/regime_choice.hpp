#pragma once
// A government's regime decision (MODEL.md, "Regime"): a government whose country is
// aligned against a stack's bloc may bar that stack from government use, and the more
// of its developers use the stack, the likelier it does so in a month — as US-aligned
// governments did with DeepSeek in 2025. A bar, once made, stays for the run.
#include <algorithm>

#include "agents/stack_utility.hpp"

namespace stackrace {

inline double rival_ban_probability(double rate, Bloc country_alignment, Bloc stack_bloc, double developer_share) {
  if (bloc_affinity(country_alignment, stack_bloc) >= 0) return 0.0;
  return std::clamp(rate * developer_share, 0.0, 1.0);
}

}  // namespace stackrace
