#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "agents/stack_choice.hpp"

using namespace stackrace;

TEST_CASE("logit probabilities of two stacks match the closed form 1 / (1 + exp(U0 - U1))", "[choice]") {
  ChoiceWeights w{0.1, 5.0, 1.0, 2.0, 0.5};
  std::array<StackView, 2> stacks{{{1.0, 10.0, 0.3}, {0.92, 0.8, 0.7}}};
  for (std::size_t current : {0u, 1u}) {
    double u0 = 5.0 * 1.0 - std::log(10.0) + 2.0 * 0.3 - (current == 0 ? 0.0 : 0.5);
    double u1 = 5.0 * 0.92 - std::log(0.8) + 2.0 * 0.7 - (current == 1 ? 0.0 : 0.5);
    std::array<double, 2> p{};
    choice_probabilities(w, stacks, current, p);
    CHECK(p[1] == Approx(1.0 / (1.0 + std::exp(u0 - u1))).epsilon(1e-14));
    CHECK(p[0] + p[1] == Approx(1.0).epsilon(1e-15));
  }
}

TEST_CASE("logit probabilities of three stacks are exp(U_k) over their sum", "[choice]") {
  ChoiceWeights w{0.1, 2.0, 0.5, 1.0, 0.25};
  std::array<StackView, 3> stacks{{{1.0, 4.0, 0.2}, {0.8, 1.0, 0.5}, {0.0, 1.0, 0.3}}};
  std::array<double, 3> p{};
  choice_probabilities(w, stacks, 1, p);
  std::array<double, 3> e{};
  double total = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    e[k] = std::exp(stack_utility(w, stacks[k], k == 1));
    total += e[k];
  }
  for (std::size_t k = 0; k < 3; ++k) CHECK(p[k] == Approx(e[k] / total).epsilon(1e-14));
}

TEST_CASE("huge utilities give finite probabilities", "[choice]") {
  ChoiceWeights w{0.1, 1000.0, 0.0, 0.0, 0.0};
  std::array<StackView, 2> stacks{{{1000.0, 1.0, 0.0}, {999.0, 1.0, 0.0}}};
  std::array<double, 2> p{};
  choice_probabilities(w, stacks, 0, p);
  CHECK(p[0] == 1.0);
  CHECK(p[1] == 0.0);
  CHECK(std::isfinite(p[0]));
}

TEST_CASE("a cumulative table picks every stack over the unit interval and ends at exactly 1", "[choice]") {
  std::vector<double> table{0.25, 0.0, 0.75};
  cumulate(table);
  CHECK(table.back() == 1.0);
  CHECK(pick_stack(table, 0.0) == 0);
  CHECK(pick_stack(table, 0.2499) == 0);
  CHECK(pick_stack(table, 0.25) == 2);  // the zero-probability stack is never picked
  CHECK(pick_stack(table, 0.9999999999) == 2);
}
