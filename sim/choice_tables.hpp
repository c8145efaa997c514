#pragma once
// Turns the decision rules of agents/ and what agents see this month into the table
// the revision kernel reads: for each group of agents, current stack and employer's
// stack, the probabilities of ending the month on each stack.
#include <array>
#include <vector>

#include "agents/population.hpp"
#include "agents/month_view.hpp"
#include "sim/revision.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// Constants fitted at the start (for kinds with `calibrate`) so that new adopters split
// between stacks as the country's users do (with the kind's momentum), and the value of
// adopting at the start, against which later gains speed up adoption.
struct Calibration {
  std::array<std::vector<double>, agent_kind_count> constant;     // [kind][c * K + k]
  std::array<std::vector<double>, agent_kind_count> start_value;  // [kind][c]
};

// `expected_start` is the view the calibration fits against: the scenario's starting
// shares and reference capabilities and prices.
Calibration calibrate(const Scenario& s, const MonthView& expected_start);

// Fills `table` (reset first) with this month's rows for the agents of `kind`.
void fill_choice_table(const Scenario& s, AgentKind kind, const AgentPopulation& population, const MonthView& view,
                       const Calibration& calibration, ChoiceTable& table);

// Firms are split into four segments per country: sector x size.
inline constexpr int firm_segments = 4;
inline bool segment_is_physical(int segment) { return segment >= 2; }
inline bool segment_is_large(int segment) { return segment % 2 == 1; }

}  // namespace stackrace
