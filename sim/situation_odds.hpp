#pragma once
// The engine's fast form of the logit choice (agents/stack_choice.hpp): the probabilities
// of every current stack of one situation from one set of odds. A choice table's rows
// differ only in which stack escapes the switching cost, so the odds exp(U_k - max U) are
// computed once per situation and each current stack's row reweighs them by
// exp(-switching_cost) off that stack: K exponentials per situation instead of K per row.
// Equal to choice_probabilities up to rounding (tests/sim/choice_tables_test.cpp).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include "agents/stack_choice.hpp"

namespace stackrace {

// StaticK > 0: the number of stacks, known at compile time, so that the odds live in a
// fixed array (no heap storage the caller's writes might alias) and the loops unroll;
// 0: any number.
template <int StaticK = 0>
class SituationOdds {
 public:
  // Takes the utilities of one situation (before the switching cost; -inf: unavailable).
  void assign(std::span<const double> utility) {
    if constexpr (StaticK > 0) {
      std::copy(utility.begin(), utility.end(), utility_.begin());
    } else {
      utility_.assign(utility.begin(), utility.end());
      odds_.resize(utility.size());
    }
    double top = -INFINITY;
    for (double u : utility) top = std::max(top, u);
    any_ = !std::isinf(top);
    // The best stack's odds are exp(0) = 1 exactly: one exponential fewer per situation.
    for (std::size_t k = 0; k < utility.size(); ++k)
      odds_[k] = !any_ ? 0.0 : utility[k] == top ? 1.0 : std::exp(utility[k] - top);
  }

  // Fills `probability` for an agent on `current` (-1: none); false (all zero) when no
  // stack is available.
  bool probabilities(int current, double switching_cost, std::span<double> probability) {
    if (!any_) {
      for (double& p : probability) p = 0.0;
      return false;
    }
    if (switching_cost != cost_) cost_ = switching_cost, leave_ = std::exp(-switching_cost);
    // With no current stack every option pays the cost: it cancels.
    const double off = current < 0 ? 1.0 : leave_;
    double total = 0;
    for (std::size_t k = 0; k < probability.size(); ++k)
      total += (probability[k] = odds_[k] * (int(k) == current ? 1.0 : off));
    // Only the current stack may have underflowed to zero odds while others lost theirs
    // to the cost: then the exact shifted form decides.
    if (!(total > 0) || !std::isfinite(total))
      return choice_probabilities({utility_.data(), probability.size()}, current, switching_cost, probability);
    // One division per row, not one per stack: tables are rebuilt every month.
    const double inverse = 1.0 / total;
    for (double& p : probability) p *= inverse;
    return true;
  }

  // Whether stack k was unavailable (utility -inf) in the last assign().
  bool unavailable(int k) const { return std::isinf(utility_[k]); }

 private:
  using Values = std::conditional_t<(StaticK > 0), std::array<double, std::size_t(StaticK > 0 ? StaticK : 1)>,
                                    std::vector<double>>;
  Values utility_{}, odds_{};
  bool any_ = false;
  double cost_ = NAN, leave_ = 0;
};

}  // namespace stackrace
