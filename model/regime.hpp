#pragma once
// Regime (MODEL.md, 7.4b): a government whose country is aligned against a stack's bloc
// may bar that stack from government use, and the more of its developers use the stack,
// the likelier it does so in a month — as US-aligned governments did with DeepSeek in
// 2025. A bar, once made, stays for the rest of the run: the government must leave the
// stack (agents/transition.hpp, "ban").
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "agents/month_view.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// The monthly probability that a government bars a stack its developers use at
// `developer_share`: `rate` per unit of share, for a stack of the rival bloc only.
double rival_ban_probability(double rate, Bloc country_alignment, Bloc stack_bloc, double developer_share);

// Each government decides on every AI stack it has not barred yet, with one uniform
// draw, `draw(c * K + k)`, for each decision it could make. `barred` [c][k] holds the
// bars made so far (it is the run's state), `ban_month` [c][k] receives the month of
// each new one, and every barred stack is banned for country agents in `env`.
void decide_regimes(const Scenario& s, const MonthView& view, int month,
                    const std::function<double(std::uint64_t)>& draw, std::vector<std::uint8_t>& barred,
                    std::span<std::int64_t> ban_month, StackEnvironment& env);

}  // namespace stackrace
