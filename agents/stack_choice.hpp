#pragma once
// The multinomial-logit stack choice (DESIGN.md, "The model in one page").
// An agent on stack `current` gives stack k the utility
//   U_k = w_cap * capability_k - w_price * ln(price_k) + w_share * share_k - switching_cost * [k != current]
// and picks k with probability exp(U_k) / sum_j exp(U_j).
#include <cmath>
#include <cstddef>
#include <span>

namespace stackrace {

// How much one kind of agent weighs each term of the utility, and how often it revises.
struct ChoiceWeights {
  double revise = 0.1;          // probability of revising the stack in a month
  double capability = 5.0;      // utility per unit of capability score
  double log_price = 1.0;       // utility lost per unit of ln(USD per million tokens)
  double country_share = 2.0;   // utility per unit of the country's developer share on the stack
  double switching_cost = 0.5;  // utility lost by leaving the current stack
};

// What the agent sees of one stack this month.
struct StackView {
  double capability;
  double price;          // USD per million tokens, > 0
  double country_share;  // previous month's share of the country's developers on this stack
};

inline double stack_utility(const ChoiceWeights& w, const StackView& s, bool is_current) {
  return w.capability * s.capability - w.log_price * std::log(s.price) + w.country_share * s.country_share -
         (is_current ? 0.0 : w.switching_cost);
}

// Fills `probability[k]` with the logit choice probabilities. Subtracting the largest
// utility before exponentiating keeps exp() finite whatever the weights.
inline void choice_probabilities(const ChoiceWeights& w, std::span<const StackView> stacks, std::size_t current,
                                 std::span<double> probability) {
  double largest = -INFINITY;
  for (std::size_t k = 0; k < stacks.size(); ++k) {
    probability[k] = stack_utility(w, stacks[k], k == current);
    largest = std::fmax(largest, probability[k]);
  }
  double total = 0;
  for (std::size_t k = 0; k < stacks.size(); ++k) {
    probability[k] = std::exp(probability[k] - largest);
    total += probability[k];
  }
  for (std::size_t k = 0; k < stacks.size(); ++k) probability[k] /= total;
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
