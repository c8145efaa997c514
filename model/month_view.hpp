#pragma once
// What agents see at the start of a month (MODEL.md, 7.3): this month's stacks, as every
// country sees them before policies edit them, and last month's aggregates — developer
// shares by country and world, each kind's adoption by country, each government's stack
// each country's capacity penalty and power load (capacity.hpp), and the pull of the
// robots physical firms run (robots.hpp).
#include <array>
#include <cstdint>
#include <vector>

#include "agents/month_view.hpp"
#include "model/compute_market.hpp"
#include "model/stack_dynamics.hpp"
#include "model/world.hpp"

namespace stackrace {

// Last month's agents of each kind on each stack of each country: [kind] -> [c * K + k],
// each agent counted as the number of its country's average agents it stands for
// (PopulationLayout::relative_weight), so that they sum to the country's agents.
using CountryCounts = std::array<const double*, agent_kind_count>;

// The stacks as every country sees them in month t before policies: one price
// everywhere, each country's own data-localisation regime, and where each stack is
// served (model/availability.hpp). `env` is overwritten in place.
void set_environment(const Scenario& s, const StackState& stacks, int t, StackEnvironment& env);

// The first month agents decide in (step 1): what the start's view and calibration use.
inline constexpr int first_month = 1;

// The share of the world's developers (weighted by the real developers each agent stands
// for in `month`, the month of the counts) on each stack.
std::vector<double> global_developer_share(const World& world, const CountryCounts& counts, int month);

// Month t's view, from the stacks of month t, the counts at the end of t - 1 (with
// their global_developer_share; `firm_groups`: the firms' by segment, [c][segment][k])
// and month t's compute access (what self-hosting costs,
// the data-centre power bundles built), into `view` (overwritten in place, keeping its
// storage).
void see_month(const World& world, const StackState& stacks, const CountryCounts& counts,
               const std::int64_t* firm_groups, const std::vector<double>& world_developer_share,
               const ComputeAccess& compute, int t, MonthView& view);

// Each country's self-hosted load over its power at the start (month 0), from the
// seated counts and the start's prices: what see_month computes for later months.
std::vector<double> start_power_load(const World& world, const CountryCounts& counts, const std::int64_t* firm_groups,
                                     const StackEnvironment& env, const ComputeAccess& compute);

// The start as the scenario describes it, not as drawn: the starting shares, the
// stacks' reference capabilities and prices, and where they are served in the first
// month (what calibration fits against).
MonthView expected_start(const Scenario& s);

}  // namespace stackrace
