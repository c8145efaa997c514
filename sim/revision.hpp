#pragma once
// The parallel kernel that lets one population revise its stacks for one month.
// It visits only the agents that revise: within each fixed block of agents it draws
// the gap to the next reviser from a geometric distribution over the block's own
// counter-based stream, so the work grows with the revisers, not the population, and
// the result does not depend on how blocks are spread over threads.
#include <cstdint>
#include <span>
#include <vector>

#include "agents/population.hpp"
#include "sim/rng.hpp"

namespace stackrace {

inline constexpr std::int64_t agents_per_block = 1 << 16;

// The cumulative choice probabilities of an agent of each country on each current
// stack: row (country, current) holds K entries, the last exactly 1.
struct ChoiceTable {
  int countries = 0;
  int stacks = 0;
  std::vector<double> cumulative;  // [country][current][k]

  ChoiceTable(int countries_, int stacks_)
      : countries(countries_), stacks(stacks_), cumulative(std::size_t(countries_) * stacks_ * stacks_) {}
  std::span<double> row(int country, int current) {
    return {cumulative.data() + (std::size_t(country) * stacks + current) * stacks, std::size_t(stacks)};
  }
  std::span<const double> row(int country, int current) const {
    return {cumulative.data() + (std::size_t(country) * stacks + current) * stacks, std::size_t(stacks)};
  }
};

// Gives each agent its first stack by a draw from its country's row for stack 0 of
// `table` (which the caller fills with the initial shares), and returns the counts
// [country][stack].
std::vector<std::int64_t> seat_population(AgentPopulation& population, const ChoiceTable& table, StreamKey key);

// Every agent revises with probability `revise` and then picks a stack from its row of
// `table`. `counts` [country][stack] is updated by the switches made.
void revise_population(AgentPopulation& population, const ChoiceTable& table, double revise, StreamKey key,
                       std::vector<std::int64_t>& counts);

}  // namespace stackrace
