#pragma once
// Exp(1) draws for the revision kernel's gaps: exactly the numbers of
// boost::random::exponential_distribution<double>, with its common path inline.
#include <boost/random/exponential_distribution.hpp>

#include "sim/rng.hpp"

namespace stackrace {

// Boost's ziggurat accepts its first draw about 98% of the time. unit_exponential inlines
// that fast path; for the rest (the tail, and the wedges with their libm exp) it makes
// Boost's whole draw again, out of line, from a copy of the stream as it was before. A
// call inside the visit loop would leave it only the registers a call preserves, and it
// would spill the rest to memory on every visit; out of line and cold, the loop's
// registers are its own. The stream goes in and out by value, so that its address
// never escapes and the loop keeps it in a register.
struct ExponentialDraw {
  double value;
  CounterStream stream;  // after the draw
};

[[gnu::noinline, gnu::cold]] inline ExponentialDraw boost_unit_exponential(CounterStream stream) {
  const double value = boost::random::exponential_distribution<double>()(stream);
  return {value, stream};
}

inline double unit_exponential(CounterStream& stream) {
  const CounterStream before = stream;
  // As Boost's unit_exponential_distribution: a layer from 8 bits and a uniform from
  // the rest of one draw; accepted when under the next layer's edge (Boost then returns
  // 0 + x, and exponential_distribution divides by its rate of 1: both exact).
  const auto [uniform, layer] = boost::random::detail::generate_int_float_pair<double, 8>(stream);
  const double* const edge = boost::random::detail::exponential_table<double>::table_x;
  const double x = uniform * edge[layer];
  if (x < edge[layer + 1]) [[likely]]
    return x;
  const ExponentialDraw slow = boost_unit_exponential(before);
  stream = slow.stream;
  return slow.value;
}

}  // namespace stackrace
