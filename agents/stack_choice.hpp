#pragma once
// The multinomial-logit stack choice (MODEL.md, 7.6.1): the weights of a kind's basic
// utility terms, the logit probabilities, and the pick of a stack from a uniform draw.
// The utility itself is in stack_utility.hpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
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

// The logsum ln Σ_k exp(u_k): the expected best utility of a logit choice, the "value" of
// choosing at all; -inf when nothing is available.
inline double log_sum_exp(std::span<const double> u) {
  double top = -INFINITY;
  for (double x : u) top = std::max(top, x);
  if (std::isinf(top)) return top;  // nothing available
  double sum = 0;
  for (double x : u) sum += std::exp(x - top);
  return top + std::log(sum);
}

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
