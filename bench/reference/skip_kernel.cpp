// skip_kernel: the bench-meanfield model (bench/README.md), visiting only the agents
// that revise. Each step only a fraction `revise` (10%) of agents choose, and an agent
// that does not revise changes nothing, so instead of a draw per agent this draws the
// gap to the next reviser. With each agent revising independently with probability p,
// that gap (the agents skipped) is geometric: floor(ln U / ln(1 - p)) for U uniform on
// (0, 1]. The cost per step is then per reviser, not per agent.
//
// - Agents are split into fixed blocks and each (step, block) has its own
//   counter-based stream, drawn in order within the block: the revisers and their
//   choices do not depend on which thread runs the block, so the result is the same
//   for any number of threads (it differs from limit_kernel's, which draws per
//   agent, only as one random sample of the model differs from another).
// - Each reviser evaluates its utilities with ln and exp exactly as limit_kernel does.
// - Country counts are not recounted: each block records the switches it sees, and
//   the blocks' changes are added in block order (integer sums).
//
// Build: g++ -O3 -march=native -std=c++20 skip_kernel.cpp -ltbb -o skip_kernel
// Run:   ./skip_kernel N T [threads]     (threads 0 or absent: every core)
// Prints one line: agents=… steps=… seconds=… agent_steps_per_s=… final_share_open=…
// agent_steps_per_s counts every agent, visited or not (N × T / seconds), so it is
// comparable with limit_kernel's and the engine's; `seconds` covers the T steps only.
#include "bench_meanfield.hpp"

using namespace bench;

namespace {
constexpr std::uint64_t kTagSkip = 0x534b4950;  // "SKIP": this kernel's per-step draws
}  // namespace

int main(int argc, char** argv) {
  const std::optional<Job> job = read_arguments(argc, argv);
  if (!job) return 2;
  const std::int64_t agents = job->agents;
  const int steps = job->steps;
  const Choice model = bench_meanfield();
  // ln(1 - p) once; the gap needs only ln U per reviser. log1p keeps it exact for small p.
  const double per_log_stay = 1.0 / std::log1p(-model.revise);

  Population population(agents);
  std::vector<std::uint8_t>& stack = population.stack;
  const std::array<double, kCountries * kStacks>& share = population.share;
  const tbb::blocked_range<std::int64_t> all_blocks(0, block_count(agents), 1);

  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < steps; ++t) {
    const std::uint64_t step_key = stream_key(kSeed, kTagSkip, static_cast<std::uint64_t>(t));
    tbb::parallel_for(all_blocks, [&](const tbb::blocked_range<std::int64_t>& range) {
      for (std::int64_t b = range.begin(); b != range.end(); ++b) {
        Counts& change = population.tally[b];  // the block's changes to the counts
        change.n.fill(0);
        const std::uint64_t key = mix64(step_key + static_cast<std::uint64_t>(b) * kWeyl);
        const std::int64_t end = std::min(agents, (b + 1) * kBlock);
        std::int64_t i = b * kBlock - 1;  // the last agent visited; none yet
        for (std::uint64_t n = 0;; ++n) {
          const std::uint64_t bits = draw(key, n);
          // U on (0, 1], never 0, so ln U is finite; the gap is at most ~350 agents.
          const double u = static_cast<double>((bits >> 11) + 1) * 0x1p-53;
          i += 1 + static_cast<std::int64_t>(std::log(u) * per_log_stay);
          if (i >= end) break;
          const int country = static_cast<int>(i % kCountries);
          const int current = stack[i];
          const int pick = choose(model, &share[country * kStacks], current, unit(mix64(bits ^ kWeyl)));
          if (pick != current) {
            stack[i] = static_cast<std::uint8_t>(pick);
            --change.n[country * kStacks + current];
            ++change.n[country * kStacks + pick];
          }
        }
      }
    });
    // Every reviser chose against the previous step's shares, so they change only here.
    population.add_tallies();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_result(agents, steps, seconds, population.counts);
  return 0;
}
