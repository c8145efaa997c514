// limit_kernel: speed-of-light reference for the bench-meanfield model
// (bench/README.md describes the model, worlds/bench-meanfield.toml is the same model
// for stackrace). It is the simplest fast program for this model that still does what
// a general engine has to do, so the engine's speed can be read against it:
//
// - every agent is visited every step, and each one that revises evaluates its
//   utilities (with ln and exp) from its own country and current stack, because an
//   engine with heterogeneous agents cannot share one choice table between them;
// - random numbers come from a counter-based hash of (seed, step, agent), so an
//   agent's draw does not depend on which thread visits it or in what order, and
//   the result is the same for any number of threads;
// - agents are split into fixed blocks, each block counts its own country totals,
//   and the blocks are summed in block order: integer sums, so again the result does
//   not depend on scheduling.
//
// Build: g++ -O3 -march=native -std=c++20 limit_kernel.cpp -ltbb -o limit_kernel
// Run:   ./limit_kernel N T [threads]     (threads 0 or absent: every core)
// Prints one line: agents=… steps=… seconds=… agent_steps_per_s=… final_share_open=…
// `seconds` covers the T steps only (not the allocation or the initial draw).
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
#include <vector>

namespace {

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

Choice bench_meanfield() {
  Choice m{{1.0, 0.92}, {10.0, 0.8}, 5.0, 1.0, 2.0, 0.5, 0.1};
  asm volatile("" : : "r"(&m) : "memory");  // its values are unknown to the optimizer from here on
  return m;
}

// 65,536 agents per block: large enough that scheduling costs nothing next to the
// work, small enough that 1,000,000 agents still make 16 blocks for the threads.
constexpr std::int64_t kBlock = std::int64_t{1} << 16;

// Tags keep the initial draw and the per-step draws on unrelated streams.
constexpr std::uint64_t kTagInitial = 0x494e4954;  // "INIT"
constexpr std::uint64_t kTagStep = 0x53544550;     // "STEP"

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

// Agents per stack in each country; one cache line apart per block so that blocks
// on different threads never write the same line.
struct alignas(64) Counts {
  std::array<std::int64_t, kCountries * kStacks> n{};
};

void to_shares(const Counts& counts, std::array<double, kCountries * kStacks>& share) {
  for (int c = 0; c < kCountries; ++c) {
    std::int64_t total = 0;
    for (int k = 0; k < kStacks; ++k) total += counts.n[c * kStacks + k];
    for (int k = 0; k < kStacks; ++k)
      share[c * kStacks + k] = total > 0 ? static_cast<double>(counts.n[c * kStacks + k]) / total : 0.0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s N T [threads]\n", argv[0]);
    return 2;
  }
  const std::int64_t agents = std::atoll(argv[1]);
  const int steps = std::atoi(argv[2]);
  const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  if (agents <= 0 || steps < 0 || threads < 0) {
    std::fprintf(stderr, "N must be positive, T and threads not negative\n");
    return 2;
  }
  std::unique_ptr<tbb::global_control> limit;
  if (threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, threads);

  const Choice model = bench_meanfield();

  // Agent i lives in country i % 50; one byte per agent holds its stack.
  std::vector<std::uint8_t> stack(agents);
  const std::int64_t blocks = (agents + kBlock - 1) / kBlock;
  std::vector<Counts> block_counts(blocks);
  const tbb::blocked_range<std::int64_t> all_blocks(0, blocks, 1);

  const std::uint64_t initial_key = stream_key(kSeed, kTagInitial, 0);
  tbb::parallel_for(all_blocks, [&](const tbb::blocked_range<std::int64_t>& range) {
    for (std::int64_t b = range.begin(); b != range.end(); ++b) {
      const std::int64_t end = std::min(agents, (b + 1) * kBlock);
      for (std::int64_t i = b * kBlock; i < end; ++i)
        stack[i] = unit(draw(initial_key, static_cast<std::uint64_t>(i))) < kInitialOpen ? 1 : 0;
    }
  });
  Counts counts;
  for (std::int64_t i = 0; i < agents; ++i) ++counts.n[(i % kCountries) * kStacks + stack[i]];
  std::array<double, kCountries * kStacks> share{};
  to_shares(counts, share);

  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < steps; ++t) {
    const std::uint64_t key = stream_key(kSeed, kTagStep, static_cast<std::uint64_t>(t));
    tbb::parallel_for(all_blocks, [&](const tbb::blocked_range<std::int64_t>& range) {
      for (std::int64_t b = range.begin(); b != range.end(); ++b) {
        Counts& mine = block_counts[b];
        mine.n.fill(0);
        const std::int64_t begin = b * kBlock;
        const std::int64_t end = std::min(agents, begin + kBlock);
        for (std::int64_t i = begin; i < end; ++i) {
          // What a per-agent engine does for each agent, whether it revises or not: its
          // own draw, keyed by the step and the agent (no generator state to carry), and
          // its country from its index.
          const std::uint64_t bits = mix64(draw(key, static_cast<std::uint64_t>(i)));
          const int country = static_cast<int>(i % kCountries);
          int current = stack[i];
          if (unit(bits) < model.revise) {
            // A second, independent draw for the choice itself.
            current = choose(model, &share[country * kStacks], current, unit(mix64(bits ^ kWeyl)));
            stack[i] = static_cast<std::uint8_t>(current);
          }
          ++mine.n[country * kStacks + current];
        }
      }
    });
    // Every agent revises against the previous step's shares, so they change only here.
    counts.n.fill(0);
    for (const Counts& block : block_counts)
      for (int j = 0; j < kCountries * kStacks; ++j) counts.n[j] += block.n[j];
    to_shares(counts, share);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::int64_t open = 0;
  for (int c = 0; c < kCountries; ++c) open += counts.n[c * kStacks + 1];
  std::printf("agents=%lld steps=%d seconds=%.4f agent_steps_per_s=%.4g final_share_open=%.6f\n",
              static_cast<long long>(agents), steps, seconds,
              seconds > 0 ? static_cast<double>(agents) * steps / seconds : 0.0,
              static_cast<double>(open) / static_cast<double>(agents));
  return 0;
}
