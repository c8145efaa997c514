#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/geometric_distribution.hpp>
#include <boost/random/uniform_01.hpp>

#include "sim/rng.hpp"
#include "sim/unit_exponential.hpp"

using namespace stackrace;

namespace {
StreamKey key(std::uint64_t seed, std::int64_t step, std::uint64_t block) {
  return {seed, 0, step, AgentKind::developer, StreamPurpose::revise, block};
}
}  // namespace

TEST_CASE("a stream is a pure function of its key", "[rng]") {
  CounterStream a(key(1, 5, 7)), b(key(1, 5, 7));
  for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
}

TEST_CASE("streams with keys that differ in any field differ", "[rng]") {
  CounterStream base(key(1, 5, 7));
  const auto first = base();
  CHECK(CounterStream(key(2, 5, 7))() != first);
  CHECK(CounterStream(key(1, 6, 7))() != first);
  CHECK(CounterStream(key(1, 5, 8))() != first);
  StreamKey other_kind = key(1, 5, 7);
  other_kind.kind = AgentKind::firm;
  CHECK(CounterStream(other_kind)() != first);
  StreamKey other_run = key(1, 5, 7);
  other_run.run = 1;
  CHECK(CounterStream(other_run)() != first);
  StreamKey other_purpose = key(1, 5, 7);
  other_purpose.purpose = StreamPurpose::initial;
  CHECK(CounterStream(other_purpose)() != first);
}

TEST_CASE("Boost.Random distributions over a stream have the right moments", "[rng]") {
  CounterStream stream(key(42, 1, 0));
  boost::random::uniform_01<double> uniform;
  boost::random::geometric_distribution<std::int64_t, double> gap(0.1);
  const int n = 200000;
  double sum_u = 0, sum_gap = 0;
  for (int i = 0; i < n; ++i) {
    double u = uniform(stream);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum_u += u;
    sum_gap += static_cast<double>(gap(stream));
  }
  // Means 1/2 and (1 - p) / p = 9; tolerances are about five standard errors.
  CHECK(sum_u / n == Approx(0.5).margin(5 * 0.2887 / std::sqrt(n)));
  CHECK(sum_gap / n == Approx(9.0).margin(5 * std::sqrt(90.0) / std::sqrt(n)));
}

TEST_CASE("a uniform draw for the revision kernel is strictly inside (0, 1)", "[rng]") {
  // A draw of exactly 1 would pass a row's last cumulative entry below 1 and pick a
  // stack of zero probability; a draw of 0 has no logarithm.
  CHECK(open_unit(~std::uint64_t{0}) < 1.0);
  // The middles of 2^52 equal cells: (top 52 bits + 1/2) / 2^52, whatever the low bits.
  for (std::uint64_t bits : {std::uint64_t{0}, std::uint64_t{0xfff}, std::uint64_t{1} << 12, ~std::uint64_t{0},
                             std::uint64_t{0x9e3779b97f4a7c15}})
    CHECK(open_unit(bits) == (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52);
  CHECK(open_unit(0) > 0.0);
  CHECK(std::isfinite(std::log(open_unit(0))));
  CounterStream stream(key(7, 0, 0));
  double low = 1, high = 0, sum = 0;
  const int n = 1'000'000;
  for (int i = 0; i < n; ++i) {
    const double u = open_unit(stream());
    low = std::min(low, u), high = std::max(high, u), sum += u;
  }
  CHECK(low > 0.0);
  CHECK(high < 1.0);
  CHECK(sum / n == Approx(0.5).margin(0.002));
}

TEST_CASE("every bit of a stream's numbers is a fair coin, and consecutive numbers are independent", "[rng]") {
  // A generator with a weak bit (wyrand folds a product: a slip in the fold would bias
  // the low or the high bits) or with lag-1 structure would fail at 5 sigma.
  CounterStream stream(key(11, 3, 2));
  const int n = 1 << 20;
  std::array<int, 64> ones{}, agree{};
  std::uint64_t last = stream();
  for (int i = 0; i < n; ++i) {
    const std::uint64_t x = stream();
    const std::uint64_t same = ~(x ^ last);
    for (int b = 0; b < 64; ++b) ones[b] += int(x >> b & 1), agree[b] += int(same >> b & 1);
    last = x;
  }
  const double margin = 5 * 0.5 * std::sqrt(double(n));
  for (int b = 0; b < 64; ++b) {
    INFO("bit " << b);
    CHECK(std::abs(ones[b] - n / 2) < margin);
    CHECK(std::abs(agree[b] - n / 2) < margin);
  }
}

TEST_CASE("the kernel's exponential draws are Boost's, number for number and stream for stream", "[rng]") {
  // unit_exponential inlines the ziggurat's fast path and redoes the rest with Boost:
  // every value and every stream position after a draw must be Boost's own, the slow
  // paths (tail and wedges, ~2% of draws) included.
  CounterStream ours(key(13, 5, 1)), boosts(key(13, 5, 1));
  boost::random::exponential_distribution<double> exponential;
  int slow = 0;
  for (int i = 0; i < 2'000'000; ++i) {
    const CounterStream before = ours;
    const double x = unit_exponential(ours);
    const double y = exponential(boosts);
    // Streams compare by the number each would give next.
    CounterStream next_ours = ours, next_boosts = boosts, one_on = before;
    one_on();
    const std::uint64_t ours_next = next_ours();
    if (x != y || ours_next != next_boosts()) FAIL("draw " << i << ": " << x << " against Boost's " << y);
    slow += ours_next != one_on();  // the fast path takes exactly one number
  }
  CHECK(slow > 10'000);  // the slow paths were taken, and agreed
}
