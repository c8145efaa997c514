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
#include "bench_meanfield.hpp"

using namespace bench;

namespace {
constexpr std::uint64_t kTagStep = 0x53544550;  // "STEP": this kernel's per-step draws
}  // namespace

int main(int argc, char** argv) {
  const std::optional<Job> job = read_arguments(argc, argv);
  if (!job) return 2;
  const std::int64_t agents = job->agents;
  const int steps = job->steps;
  const Choice model = bench_meanfield();

  Population population(agents);
  std::vector<std::uint8_t>& stack = population.stack;
  const std::array<double, kCountries * kStacks>& share = population.share;
  const tbb::blocked_range<std::int64_t> all_blocks(0, block_count(agents), 1);

  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < steps; ++t) {
    const std::uint64_t key = stream_key(kSeed, kTagStep, static_cast<std::uint64_t>(t));
    tbb::parallel_for(all_blocks, [&](const tbb::blocked_range<std::int64_t>& range) {
      for (std::int64_t b = range.begin(); b != range.end(); ++b) {
        Counts& mine = population.tally[b];
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
    // Every agent revises against the previous step's shares, so they change only here;
    // the blocks' tallies count every agent, so they replace the counts.
    population.counts.n.fill(0);
    population.add_tallies();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_result(agents, steps, seconds, population.counts);
  return 0;
}
