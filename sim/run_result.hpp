#pragma once
// What one run leaves behind: the aggregates of every month, never the agents
// (a run keeps its agents' stacks only while it runs; the file holds aggregates).
#include <cstdint>
#include <span>
#include <vector>

#include "agents/agent_kind.hpp"

namespace stackrace {

struct RunResult {
  int times = 0;  // steps + 1: month 0 is the state before the first step
  int countries = 0;
  int stacks = 0;
  std::uint64_t seed = 0;
  // [kind][time][country][stack]: each kind's part is one chunk of the file's `share`
  // (whose dims are run, time, country, kind, stack), taken as it lies.
  std::vector<float> share;
  std::vector<float> global_share;   // [time][kind][stack]
  std::vector<double> capability;    // [time][stack]
  std::vector<double> price;         // [time][stack]
  // [time][country]: the compute market (model/compute_market.hpp): the share of the
  // country's new compute on Chinese accelerators, and the share of its demand no one meets.
  std::vector<float> chinese_compute, unmet_compute;
  std::vector<std::int64_t> agents;  // [country][kind]: agents simulated
  std::vector<double> weight;        // [country][kind]: real entities each agent stands for
  std::vector<std::int64_t> government_ban_month;  // [country][stack]: month the government barred it, -1 never

  RunResult(int times_, int countries_, int stacks_)
      : times(times_), countries(countries_), stacks(stacks_),
        share(std::size_t(times_) * countries_ * agent_kind_count * stacks_),
        global_share(std::size_t(times_) * agent_kind_count * stacks_),
        capability(std::size_t(times_) * stacks_), price(std::size_t(times_) * stacks_),
        chinese_compute(std::size_t(times_) * countries_), unmet_compute(std::size_t(times_) * countries_),
        agents(std::size_t(countries_) * agent_kind_count), weight(std::size_t(countries_) * agent_kind_count),
        government_ban_month(std::size_t(countries_) * stacks_, -1) {}

  float& share_at(int t, int c, AgentKind kind, int k) {
    return share[((std::size_t(index_of(kind)) * times + t) * countries + c) * stacks + k];
  }
  // One kind's shares, [time][country][stack].
  std::span<const float> kind_share(AgentKind kind) const {
    const std::size_t n = std::size_t(times) * countries * stacks;
    return {share.data() + index_of(kind) * n, n};
  }
  float& global_share_at(int t, AgentKind kind, int k) {
    return global_share[(std::size_t(t) * agent_kind_count + index_of(kind)) * stacks + k];
  }
  float share_at(int t, int c, AgentKind kind, int k) const { return const_cast<RunResult*>(this)->share_at(t, c, kind, k); }
  float global_share_at(int t, AgentKind kind, int k) const {
    return const_cast<RunResult*>(this)->global_share_at(t, kind, k);
  }
};

}  // namespace stackrace
