#pragma once
// The scenario: the whole experiment, as read and checked from a TOML file
// (worlds/README.md lists every key). A Scenario is an immutable description;
// the engine in sim/ owns the mutable run state.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/agent_kind.hpp"
#include "agents/stack_choice.hpp"

namespace stackrace {

struct StackSpec {
  std::string id;
  double capability;         // benchmark-style score at the start
  double capability_growth;  // added to the score each month
  double price;              // USD per million tokens at the start
  double price_decline;      // fraction of the price lost each month
};

struct CountrySpec {
  std::string id;    // ISO 3166 alpha-3 code or a group id
  std::string name;
  double developers;  // real developers the country has
  double firms;       // real firms the country has
  std::vector<double> initial_share;  // per stack, sums to 1: who uses what at the start
};

struct Scenario {
  std::string name;
  std::string description;
  std::string start;  // "YYYY-MM"
  int steps;          // months
  std::uint64_t seed;
  std::int64_t developer_agents;
  std::int64_t firm_agents;
  std::vector<StackSpec> stacks;
  std::array<ChoiceWeights, agent_kind_count> choice;  // by AgentKind
  std::vector<CountrySpec> countries;

  std::string source_path;    // the file it was read from
  std::string resolved_toml;  // the full scenario with defaults and overrides applied

  const ChoiceWeights& weights(AgentKind kind) const { return choice[index_of(kind)]; }
  int stack_count() const { return static_cast<int>(stacks.size()); }
  int country_count() const { return static_cast<int>(countries.size()); }
};

}  // namespace stackrace
