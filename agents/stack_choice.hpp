#pragma once
// The multinomial-logit stack choice (DESIGN.md, "The model in one page"; MODEL.md,
// "Choice"): the weights of a kind's basic utility terms, the logit probabilities, and
// the pick of a stack from a uniform draw. The utility itself is in stack_utility.hpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

namespace stackrace {

// How much one kind of agent weighs each term of the utility, and how often it revises.
struct ChoiceWeights {
  double revise = 0.1;          // probability of revising the stack in a month
  double capability = 5.0;      // utility per unit of capability score
  double log_price = 1.0;       // utility lost per unit of ln(USD per million tokens)
  double country_share = 2.0;   // utility per unit of the country's developer share on the stack
  double switching_cost = 0.5;  // utility lost by leaving the current stack
};

// Fills `probability[k]` with the multinomial-logit choice probabilities of an agent on
// stack `current` (-1: none), given each stack's utility before the switching cost:
// exp(U_k - switching_cost·[k != current]) over their sum. A stack with utility -inf is
// unavailable. Subtracting the largest utility before exponentiating keeps exp() finite
// whatever the weights. Returns false (all zero) when no stack is available.
inline bool choice_probabilities(std::span<const double> utility, int current, double switching_cost,
                                 std::span<double> probability) {
  double largest = -INFINITY;
  for (std::size_t k = 0; k < utility.size(); ++k) {
    probability[k] = utility[k] - (int(k) == current ? 0.0 : switching_cost);
    largest = std::max(largest, probability[k]);  // not std::fmax: a libm call, and utilities are never NaN
  }
  if (std::isinf(largest)) {
    for (double& p : probability) p = 0.0;
    return false;
  }
  double total = 0;
  for (double& p : probability) total += (p = std::exp(p - largest));
  for (double& p : probability) p /= total;
  return true;
}

// The logit probabilities of choice_probabilities for every current stack of one
// situation. The rows of a choice table differ only in which stack escapes the switching
// cost, so the odds exp(U_k - max U) are computed once per situation and each current's
// row reweighs them by exp(-switching_cost) off the current stack: K exponentials per
// situation instead of K per row. (Equal to choice_probabilities up to rounding.)
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

 private:
  using Values = std::conditional_t<(StaticK > 0), std::array<double, std::size_t(StaticK > 0 ? StaticK : 1)>,
                                    std::vector<double>>;
  Values utility_{}, odds_{};
  bool any_ = false;
  double cost_ = NAN, leave_ = 0;
};

// Turns probabilities into a cumulative table whose last entry is exactly 1, so that
// any draw in [0, 1) picks a stack.
inline void cumulate(std::span<double> probability) {
  double running = 0;
  for (double& p : probability) {
    running += p;
    p = running;
  }
  probability.back() = 1.0;
}

// The stack a uniform draw u in [0, 1) picks from a cumulative table: the number of
// entries u has passed. Counting rather than searching keeps the loop free of
// data-dependent branches, which the CPU would mispredict about as often as agents switch.
inline std::size_t pick_stack(std::span<const double> cumulative, double u) {
  std::size_t k = 0;
  for (std::size_t j = 0; j + 1 < cumulative.size(); ++j) k += u >= cumulative[j];
  return k;
}

}  // namespace stackrace
