#pragma once
// One agent's month (MODEL.md, 7.6.3): the probability that an agent ends the month on
// each stack, given what its group sees. This is the model's rule in its plain form,
// for one agent at a time; the engine builds the same probabilities for whole groups at
// once (sim/choice_tables.cpp), and tests/sim/choice_tables_test.cpp holds the two equal.
//
// What can happen to an agent in a month, in the order of MODEL.md:
//  - who acts: an adopter revises its stack with probability `revise` (Calvo: whatever
//    its history); a non-adopter adopts with the Bass hazard `adopt` (adoption.hpp);
//  - adopt: a non-adopter who adopts picks an AI stack by logit (stack_choice.hpp) and
//    pays no switching cost (the same cost on every option cancels);
//  - switch: a revising adopter picks by logit, paying the switching cost plus its
//    stack's lock-in (infrastructure bundles) for leaving it; it may pick its own again;
//  - abandon: independently of revising, an adopter returns to the outside option with
//    probability `abandon`;
//  - ban: an adopter whose stack is banned for its kind must leave it this month, by
//    logit among the stacks left, or to the outside option when none is left;
//  - reach: each act chooses among the stacks the agent can get this month (reach.hpp);
//    a revising adopter whose own stack is out of its reach leaves it like a banned one.
// Every pull toward a stack — capability, price, the network, openness, alignment, data
// localisation, the government's and the employer's stack, policy bonuses — is in the
// utilities (stack_utility.hpp); a stack unavailable to the agent has utility -inf.
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/reach.hpp"
#include "agents/stack_choice.hpp"

namespace stackrace {

// How likely each kind of act is this month for an agent of the group.
struct MonthChances {
  double revise = 0;   // an adopter reconsiders its stack
  double adopt = 0;    // a non-adopter adopts AI
  double abandon = 0;  // an adopter returns to the outside option
};

// The stacks as the agent's group sees them this month.
struct StackOptions {
  std::span<const double> utility;        // [k]: before switching costs; -inf where unavailable
  std::span<const std::uint8_t> banned;   // [k]: banned for the agent's kind in its country
  std::span<const double> lock_in;        // [k]: extra cost of leaving the stack
  std::span<const double> reach;          // [k]: share of agents that can get it (reach.hpp); empty: all served
  double switching_cost = 0;
  int outside = -1;                       // the outside option (not using AI), -1 if none
};

// The month of an agent on `current` that can get the stacks `utility` leaves finite.
inline void month_among(const StackOptions& options, std::span<const double> utility, const MonthChances& chances,
                        int current, std::span<double> probability) {
  const std::size_t K = probability.size();
  std::vector<double> pick(K);
  const auto stay = [&] {
    double moved = 0;
    for (std::size_t k = 0; k < K; ++k) moved += int(k) == current ? 0.0 : probability[k];
    probability[current] = 1.0 - moved;
  };
  if (current == options.outside) {  // a non-adopter
    choice_probabilities(utility, -1, options.switching_cost, pick);
    for (std::size_t k = 0; k < K; ++k) probability[k] = chances.adopt * pick[k];
    return stay();
  }
  const double leave = options.switching_cost + options.lock_in[current];
  const bool any = choice_probabilities(utility, current, leave, pick);
  if (options.banned[current]) {
    for (std::size_t k = 0; k < K; ++k) probability[k] = pick[k];
    if (!any) probability[options.outside >= 0 ? options.outside : current] = 1.0;
    return;
  }
  for (std::size_t k = 0; k < K; ++k) probability[k] = chances.revise * pick[k];
  // Out of reach with nothing else to get: a revising adopter falls back to not using AI.
  if (!any && std::isinf(utility[current]) && options.outside >= 0) probability[options.outside] += chances.revise;
  if (options.outside >= 0) probability[options.outside] += chances.abandon;
  stay();
}

// Fills `probability[k]`, the chance that an agent on `current` ends the month on k: the
// month among the stacks it can get, averaged over what it can get (reach.hpp).
inline void month_transition(const StackOptions& options, const MonthChances& chances, int current,
                             std::span<double> probability) {
  const std::size_t K = probability.size();
  if (all_served(options.reach)) return month_among(options, options.utility, chances, current, probability);
  std::vector<double> scratch(K), part(K);
  for (double& p : probability) p = 0.0;
  for_each_reach(options.utility, options.reach, scratch, [&](double weight, std::span<const double> utility) {
    month_among(options, utility, chances, current, part);
    for (std::size_t k = 0; k < K; ++k) probability[k] += weight * part[k];
  });
}

}  // namespace stackrace
