#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "agents/stack_choice.hpp"

using namespace stackrace;

TEST_CASE("logit probabilities of two stacks match the closed form 1 / (1 + exp(U0 - U1))", "[choice]") {
  // The bench-meanfield utilities: 5 perf - ln(price) + 2 share, switching cost 0.5.
  const std::array<double, 2> u{5.0 * 1.0 - std::log(10.0) + 2.0 * 0.3, 5.0 * 0.92 - std::log(0.8) + 2.0 * 0.7};
  for (int current : {0, 1}) {
    const double u0 = u[0] - (current == 0 ? 0.0 : 0.5), u1 = u[1] - (current == 1 ? 0.0 : 0.5);
    std::array<double, 2> p{};
    REQUIRE(choice_probabilities(u, current, 0.5, p));
    CHECK(p[1] == Approx(1.0 / (1.0 + std::exp(u0 - u1))).epsilon(1e-14));
    CHECK(p[0] + p[1] == Approx(1.0).epsilon(1e-15));
  }
}

TEST_CASE("logit probabilities of three stacks are exp(U_k) over their sum", "[choice]") {
  const std::array<double, 3> u{0.3, -1.2, 2.0};
  std::array<double, 3> p{};
  choice_probabilities(u, 1, 0.25, p);
  std::array<double, 3> e{};
  double total = 0;
  for (int k = 0; k < 3; ++k) total += (e[k] = std::exp(u[k] - (k == 1 ? 0.0 : 0.25)));
  for (int k = 0; k < 3; ++k) CHECK(p[k] == Approx(e[k] / total).epsilon(1e-14));
}

TEST_CASE("an unavailable stack (utility -inf) is never chosen; with none available nothing is", "[choice]") {
  const double out = -INFINITY;
  std::array<double, 3> p{};
  CHECK(choice_probabilities(std::array<double, 3>{out, 1.0, 2.0}, 0, 0.5, p));
  CHECK(p[0] == 0.0);
  CHECK(p[1] + p[2] == Approx(1.0));
  CHECK_FALSE(choice_probabilities(std::array<double, 3>{out, out, out}, 0, 0.5, p));
  CHECK(p[0] + p[1] + p[2] == 0.0);
}

TEST_CASE("huge utilities give finite probabilities", "[choice]") {
  std::array<double, 2> p{};
  choice_probabilities(std::array<double, 2>{1e6, 1e6 - 1000}, 0, 0.0, p);
  CHECK(p[0] == 1.0);
  CHECK(p[1] == 0.0);
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
