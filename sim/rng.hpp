#pragma once
// Counter-based random streams. A stream is a pure function of its key — (seed, run,
// step, agent kind, block or agent) — and of how many numbers were taken from it, so
// a result never depends on which thread ran which block. The engine is a
// UniformRandomBitGenerator, so Boost.Random's distributions draw from it.
#include <cstdint>
#include <limits>

#include "agents/agent_kind.hpp"

namespace stackrace {

// SplitMix64's finaliser: a bijection of 64-bit words with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// floor(x * n / 2^64): x, uniform on 64 bits, scaled to an index uniform on [0, n)
// (Lemire's multiply-shift reduction: one multiply where x % n takes a division).
inline std::uint64_t scale_to(std::uint64_t x, std::uint64_t n) {
#if defined(__x86_64__) && defined(__GNUC__)
  std::uint64_t low, high;
  __asm__("mulq %3" : "=a"(low), "=d"(high) : "%a"(x), "rm"(n) : "cc");
  return high;
#else
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(x) * n) >> 64);
#endif
}

// What a stream is for. `initial` streams set the agents' stacks before month 1.
enum class StreamPurpose : std::uint8_t { initial = 0, revise = 1, bundle = 2, regime = 3, design = 4, calibration = 5 };

struct StreamKey {
  std::uint64_t seed;
  std::uint64_t run;
  std::int64_t step;
  AgentKind kind;
  StreamPurpose purpose;
  std::uint64_t index;  // block of agents, or agent for per-agent streams
};

// The high and low halves of the 128-bit product a * b, xor-ed. On x86-64 one `mul`
// leaves them in two registers; written as an unsigned __int128, GCC stores the product
// to the stack and reads it back, on every draw of the revision kernel (same numbers).
inline std::uint64_t fold_product(std::uint64_t a, std::uint64_t b) {
#if defined(__x86_64__) && defined(__GNUC__)
  std::uint64_t low, high;
  __asm__("mulq %3" : "=a"(low), "=d"(high) : "%a"(a), "rm"(b) : "cc");
  return high ^ low;
#else
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(product >> 64) ^ static_cast<std::uint64_t>(product);
#endif
}

class CounterStream {
 public:
  using result_type = std::uint64_t;

  explicit CounterStream(const StreamKey& k)
      : next_(mix64(mix64(mix64(mix64(k.seed) ^ k.run) ^ static_cast<std::uint64_t>(k.step)) ^
                   (static_cast<std::uint64_t>(k.kind) << 8 | static_cast<std::uint64_t>(k.purpose))) ^
             mix64(k.index)) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  // wyrand (Wang Yi; the generator of Go's runtime and Zig's standard library) from the
  // key: the n-th number (n = 1, 2, ...) folds the 128-bit product x * (x ^ c), for
  // x = key + n * gamma, to 64 bits. It passes BigCrush and PractRand, with one multiply
  // per number (SplitMix64's finaliser takes two, and three shift-xors), and the revision
  // kernel draws two numbers per visit. Keys are themselves mixed (mix64), so nearby keys
  // give unrelated streams.
  result_type operator()() {
    next_ += 0xa0761d6478bd642full;
    return fold_product(next_, next_ ^ 0xe7037ed1a0b428dbull);
  }

 private:
  std::uint64_t next_;
};

// Which random numbers a result was drawn with, stored in every result file
// (`random_numbers`): it changes whenever the same key would give other numbers (the
// generator, the key derivation, or how the kernel draws), so that `sweep --resume`
// refuses to finish a file with runs drawn otherwise than its finished ones. Files
// written before it existed (SplitMix64) have none.
inline constexpr const char* random_numbers_id = "wyrand-2";

// A uniform double in (0, 1) from the top 52 bits of a draw, the middles of 2^52 equal
// cells: never 0 (its log is finite) and never 1 (with 53 bits the top cell's middle
// rounds to 1.0, which would pick a stack of zero probability after a row's last one).
// For the top 52 bits x, (x + 1/2) / 2^52 = (2x + 1) / 2^53, and 2x + 1 is the top 53
// bits with the last set: exact in a double, so no addition is needed (same values).
inline double open_unit(std::uint64_t bits) { return static_cast<double>((bits >> 11) | 1) * 0x1.0p-53; }

}  // namespace stackrace
