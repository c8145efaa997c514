#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/agent_kind.hpp"

namespace stackrace {

// What the agents of each country see of each stack in one month. The engine fills it
// from the stacks' state; policies (policies/README.md) edit it before agents decide.
struct StackEnvironment {
  int countries = 0;
  int stacks = 0;
  std::vector<double> capability;  // [stack]
  std::vector<double> price;       // [country][stack], USD per million tokens
  std::array<std::vector<std::uint8_t>, agent_kind_count> banned;  // [kind][country][stack]
  std::vector<double> bonus;       // [country][stack]: utility from subsidised set-up, bundles
  std::vector<double> lock_in;     // [country][stack]: extra cost of leaving the stack
  std::vector<std::uint8_t> open_restricted;  // [country][stack]: open weights may not be used as such
  std::vector<int> localisation;   // [country]: data-localisation level in force
  std::array<std::vector<double>, agent_kind_count> reach;  // [kind][country][stack]: share of agents that can get it (agents/reach.hpp; 1: served)

  StackEnvironment() = default;
  StackEnvironment(int countries_, int stacks_) { reset(countries_, stacks_); }

  // Every entry back to its default (zero; reach 1): the engine reuses one environment a month.
  void reset(int countries_, int stacks_) {
    countries = countries_;
    stacks = stacks_;
    capability.assign(stacks_, 0.0);
    price.assign(cell_count(), 0.0);
    for (auto& b : banned) b.assign(cell_count(), 0);
    bonus.assign(cell_count(), 0.0);
    lock_in.assign(cell_count(), 0.0);
    open_restricted.assign(cell_count(), 0);
    localisation.assign(countries_, 0);
    for (auto& r : reach) r.assign(cell_count(), 1.0);
  }

  std::size_t cell_count() const { return std::size_t(countries) * stacks; }
  std::size_t cell(int country, int stack) const { return std::size_t(country) * stacks + stack; }
  double& price_in(int country, int stack) { return price[cell(country, stack)]; }
  double price_in(int country, int stack) const { return price[cell(country, stack)]; }
  bool is_banned(AgentKind kind, int country, int stack) const { return banned[index_of(kind)][cell(country, stack)]; }
  // How far agents of `kind` in country c reach each stack, [k].
  std::span<const double> reach_in(AgentKind kind, int country) const {
    return {reach[index_of(kind)].data() + cell(country, 0), std::size_t(stacks)};
  }
};

}  // namespace stackrace
