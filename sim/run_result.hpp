#pragma once
// What one run leaves behind: the aggregates of every month, never the agents
// (a run keeps its agents' stacks only while it runs; the file holds aggregates).
#include <cstdint>
#include <span>
#include <vector>

#include "agents/agent_kind.hpp"
#include "agents/segments.hpp"

namespace stackrace {

// The compute blocs the file reports, in order (Bloc::us, cn, other).
inline constexpr int bloc_count = 3;

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
  // Usage (agents/usage.hpp): [kind][time][country][stack] tokens a month of the real
  // entities (one chunk per kind, as `share`), and each kind's world usage share
  // [time][kind][stack].
  std::vector<float> tokens;
  std::vector<float> global_usage_share;
  // Firms by sector (virtual, physical): [time][country][sector][stack] the share of the
  // country's firm agents of the sector on the stack and their tokens a month, and the
  // sector's world share [time][sector][stack], weighted as global_share.
  std::vector<float> sector_share, sector_tokens;
  std::vector<float> global_sector_share;
  // Firms by size class (micro, small, medium, large; agents/segments.hpp): the same as by
  // sector, [time][country][size][stack] and [time][size][stack].
  std::vector<float> size_share, global_size_share;
  std::vector<double> lag;           // [time][stack]: months behind the frontier
  std::vector<double> bloc_compute;  // [time][bloc]: compute the bloc can use, world's at the start = 1
  std::vector<double> bloc_chips;    // [time][bloc]: its chips, which its power may not all run
  std::vector<float> real_developers;  // [time][country]: the country's developers that month (talent)
  // [time][country]: the self-hosted load over the power AI may draw (model/capacity.hpp;
  // NaN where nothing limits it), and [time][country][bloc] the makers' shares of the
  // country's installed robots (model/robots.hpp; NaN where the world runs none).
  std::vector<float> power_load;
  std::vector<float> robot_share;
  std::vector<std::int64_t> agents;  // [country][kind]: agents simulated
  std::vector<double> weight;        // [country][kind]: real entities each agent stands for
  std::vector<std::int64_t> firm_agents_by_size;  // [country][size]: firm agents of each size class
  std::vector<std::int64_t> government_ban_month;  // [country][stack]: month the government barred it, -1 never

  RunResult(int times_, int countries_, int stacks_)
      : times(times_), countries(countries_), stacks(stacks_),
        share(std::size_t(times_) * countries_ * agent_kind_count * stacks_),
        global_share(std::size_t(times_) * agent_kind_count * stacks_),
        capability(std::size_t(times_) * stacks_), price(std::size_t(times_) * stacks_),
        chinese_compute(std::size_t(times_) * countries_), unmet_compute(std::size_t(times_) * countries_),
        tokens(share.size()), global_usage_share(global_share.size()),
        sector_share(std::size_t(times_) * countries_ * sector_count * stacks_), sector_tokens(sector_share.size()),
        global_sector_share(std::size_t(times_) * sector_count * stacks_),
        size_share(std::size_t(times_) * countries_ * firm_size_count * stacks_),
        global_size_share(std::size_t(times_) * firm_size_count * stacks_), lag(capability.size()),
        bloc_compute(std::size_t(times_) * bloc_count), bloc_chips(bloc_compute.size()),
        real_developers(chinese_compute.size()), power_load(chinese_compute.size()),
        robot_share(std::size_t(times_) * countries_ * bloc_count),
        agents(std::size_t(countries_) * agent_kind_count), weight(std::size_t(countries_) * agent_kind_count),
        firm_agents_by_size(std::size_t(countries_) * firm_size_count),
        government_ban_month(std::size_t(countries_) * stacks_, -1) {}

  float& share_at(int t, int c, AgentKind kind, int k) {
    return share[((std::size_t(index_of(kind)) * times + t) * countries + c) * stacks + k];
  }
  float& tokens_at(int t, int c, AgentKind kind, int k) {
    return tokens[((std::size_t(index_of(kind)) * times + t) * countries + c) * stacks + k];
  }
  float tokens_at(int t, int c, AgentKind kind, int k) const {
    return const_cast<RunResult*>(this)->tokens_at(t, c, kind, k);
  }
  std::span<const float> kind_tokens(AgentKind kind) const {
    const std::size_t n = std::size_t(times) * countries * stacks;
    return {tokens.data() + index_of(kind) * n, n};
  }
  std::size_t sector_cell(int t, int c, int sector, int k) const {
    return ((std::size_t(t) * countries + c) * sector_count + sector) * stacks + k;
  }
  std::size_t size_cell(int t, int c, int size, int k) const {
    return ((std::size_t(t) * countries + c) * firm_size_count + size) * stacks + k;
  }
  // One kind's shares, [time][country][stack].
  std::span<const float> kind_share(AgentKind kind) const {
    const std::size_t n = std::size_t(times) * countries * stacks;
    return {share.data() + index_of(kind) * n, n};
  }
  float& global_share_at(int t, AgentKind kind, int k) {
    return global_share[(std::size_t(t) * agent_kind_count + index_of(kind)) * stacks + k];
  }
  float& global_usage_share_at(int t, AgentKind kind, int k) {
    return global_usage_share[(std::size_t(t) * agent_kind_count + index_of(kind)) * stacks + k];
  }
  float share_at(int t, int c, AgentKind kind, int k) const { return const_cast<RunResult*>(this)->share_at(t, c, kind, k); }
  float global_usage_share_at(int t, AgentKind kind, int k) const {
    return const_cast<RunResult*>(this)->global_usage_share_at(t, kind, k);
  }
  float global_share_at(int t, AgentKind kind, int k) const {
    return const_cast<RunResult*>(this)->global_share_at(t, kind, k);
  }
};

}  // namespace stackrace
