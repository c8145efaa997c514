#pragma once
// The bench-meanfield model (bench/README.md) and what its two reference kernels share:
// the parameters, the counter-based draws, the logit choice, the country counts, the
// command line, the initial draw and the line printed at the end. Each kernel is one
// .cpp file beside this header, built on its own (g++ ... limit_kernel.cpp).
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace bench {

// The model (bench/README.md). Stack 0 is the closed US stack, stack 1 the open one.
constexpr int kCountries = 50;
constexpr int kStacks = 2;
constexpr double kInitialOpen = 0.1;
constexpr std::uint64_t kSeed = 1;

// The choice parameters live in a run-time struct, not in constants, so the compiler
// cannot fold ln(price) or the constant part of the utility away: an engine whose
// agents differ (prices by country, capability by month) pays for them per choice.
struct Choice {
  std::array<double, kStacks> perf;
  std::array<double, kStacks> price;
  double weight_perf, weight_log_price, weight_share, switching_cost, revise;
};

inline Choice bench_meanfield() {
  Choice m{{1.0, 0.92}, {10.0, 0.8}, 5.0, 1.0, 2.0, 0.5, 0.1};
  asm volatile("" : : "r"(&m) : "memory");  // its values are unknown to the optimizer from here on
  return m;
}

// 65,536 agents per block: large enough that scheduling costs nothing next to the
// work (even skip_kernel's, about 6,500 revisers a block), small enough that 1,000,000
// agents still make 16 blocks for the threads.
constexpr std::int64_t kBlock = std::int64_t{1} << 16;

// Tags keep the initial draw and each kernel's per-step draws on unrelated streams; both
// kernels start from the same agents.
constexpr std::uint64_t kTagInitial = 0x494e4954;  // "INIT"

constexpr std::uint64_t kWeyl = 0x9e3779b97f4a7c15ull;

// A 64-bit finalizer (xor-shift / multiply rounds) with full avalanche, so
// consecutive counters give independent-looking outputs.
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 27;
  x *= 0x3c79ac492ba7b653ull;
  x ^= x >> 33;
  x *= 0x1c69b3f74ac4ae35ull;
  x ^= x >> 27;
  return x;
}

// Key of the stream (seed, tag, index); draw `counter` of it is mix64(key + counter * kWeyl).
inline std::uint64_t stream_key(std::uint64_t seed, std::uint64_t tag, std::uint64_t index) {
  return mix64(mix64(mix64(seed) ^ tag) + index * kWeyl);
}

inline std::uint64_t draw(std::uint64_t key, std::uint64_t counter) { return mix64(key + counter * kWeyl); }

// Uniform on [0, 1) from the top 53 bits.
inline double unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1p-53; }

// Multinomial logit over the stacks for an agent whose country has shares `share`
// (kStacks entries) and who now holds `current`; `u` is uniform on [0, 1).
inline int choose(const Choice& m, const double* share, int current, double u) {
  double weight[kStacks];
  double top = -std::numeric_limits<double>::infinity();
  for (int k = 0; k < kStacks; ++k) {
    weight[k] = m.weight_perf * m.perf[k] - m.weight_log_price * std::log(m.price[k]) + m.weight_share * share[k] -
                (k == current ? 0.0 : m.switching_cost);
    top = std::max(top, weight[k]);
  }
  double total = 0.0;
  for (int k = 0; k < kStacks; ++k) {
    weight[k] = std::exp(weight[k] - top);  // shifted by the maximum so exp cannot overflow
    total += weight[k];
  }
  double left = u * total;
  for (int k = 0; k < kStacks - 1; ++k) {
    left -= weight[k];
    if (left < 0.0) return k;
  }
  return kStacks - 1;
}

// Agents per stack in each country, or for one block the change in them over one step;
// one cache line apart per block so that blocks on different threads never write the
// same line.
struct alignas(64) Counts {
  std::array<std::int64_t, kCountries * kStacks> n{};
};

inline void to_shares(const Counts& counts, std::array<double, kCountries * kStacks>& share) {
  for (int c = 0; c < kCountries; ++c) {
    std::int64_t total = 0;
    for (int k = 0; k < kStacks; ++k) total += counts.n[c * kStacks + k];
    for (int k = 0; k < kStacks; ++k)
      share[c * kStacks + k] = total > 0 ? static_cast<double>(counts.n[c * kStacks + k]) / total : 0.0;
  }
}

// What the command line asks for: ./kernel N T [threads].
struct Job {
  std::int64_t agents;
  int steps;
  std::unique_ptr<tbb::global_control> threads;  // null: every core
};

// The job, or nothing (after a message on stderr) where the arguments are wrong.
inline std::optional<Job> read_arguments(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s N T [threads]\n", argv[0]);
    return std::nullopt;
  }
  Job job{std::atoll(argv[1]), std::atoi(argv[2]), nullptr};
  const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  if (job.agents <= 0 || job.steps < 0 || threads < 0) {
    std::fprintf(stderr, "N must be positive, T and threads not negative\n");
    return std::nullopt;
  }
  if (threads > 0)
    job.threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, threads);
  return job;
}

inline std::int64_t block_count(std::int64_t agents) { return (agents + kBlock - 1) / kBlock; }

// Each agent's first stack (one byte; agent i lives in country i % 50): the open stack
// with probability kInitialOpen, from its own draw of the initial stream.
inline std::vector<std::uint8_t> seat(std::int64_t agents) {
  std::vector<std::uint8_t> stack(agents);
  const std::uint64_t initial_key = stream_key(kSeed, kTagInitial, 0);
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, block_count(agents), 1),
                    [&](const tbb::blocked_range<std::int64_t>& range) {
                      for (std::int64_t b = range.begin(); b != range.end(); ++b) {
                        const std::int64_t end = std::min(agents, (b + 1) * kBlock);
                        for (std::int64_t i = b * kBlock; i < end; ++i)
                          stack[i] = unit(draw(initial_key, static_cast<std::uint64_t>(i))) < kInitialOpen ? 1 : 0;
                      }
                    });
  return stack;
}

inline Counts count(const std::vector<std::uint8_t>& stack) {
  Counts counts;
  for (std::size_t i = 0; i < stack.size(); ++i) ++counts.n[(i % kCountries) * kStacks + stack[i]];
  return counts;
}

// What both kernels step: each agent's stack, the counts by country and stack and the
// shares agents choose against, and one tally per block of agents, filled in parallel
// within a step and added into the counts at its end.
struct Population {
  std::vector<std::uint8_t> stack;
  Counts counts;
  std::array<double, kCountries * kStacks> share{};
  std::vector<Counts> tally;  // [block]

  explicit Population(std::int64_t agents) : stack(seat(agents)), counts(count(stack)), tally(block_count(agents)) {
    to_shares(counts, share);
  }
  // The step's end: every block's tally added into the counts, and the new shares.
  void add_tallies() {
    for (const Counts& block : tally)
      for (int j = 0; j < kCountries * kStacks; ++j) counts.n[j] += block.n[j];
    to_shares(counts, share);
  }
};

// The one line both kernels print: agent_steps_per_s counts every agent, visited or not
// (N × T / seconds), so that the kernels and the engine compare.
inline void print_result(std::int64_t agents, int steps, double seconds, const Counts& counts) {
  std::int64_t open = 0;
  for (int c = 0; c < kCountries; ++c) open += counts.n[c * kStacks + 1];
  std::printf("agents=%lld steps=%d seconds=%.4f agent_steps_per_s=%.4g final_share_open=%.6f\n",
              static_cast<long long>(agents), steps, seconds,
              seconds > 0 ? static_cast<double>(agents) * steps / seconds : 0.0,
              static_cast<double>(open) / static_cast<double>(agents));
}

}  // namespace bench
