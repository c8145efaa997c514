#pragma once
// The month's choice tables (sim/revision.hpp's ChoiceTable) built from the model: for
// each group of a kind's agents (a country, or a segment of one), each current stack and
// (developers) each employer's stack, the cumulative probabilities with which a visited
// agent ends the month on each stack, and each group's visit rate — the fastest rate at
// which any of its agents acts this month. The rules are the model's: utilities
// (model/utilities.hpp), the adoption hazard (agents/adoption.hpp) and the transition
// (agents/transition.hpp, built here by SituationRows for whole groups at once).
#include "agents/month_view.hpp"
#include "model/world.hpp"
#include "sim/revision.hpp"

namespace stackrace {

// Fills `table` (reshaped first, keeping its storage) with this month's rows for the
// agents of `kind`.
void fill_choice_table(const World& world, AgentKind kind, const MonthView& view, ChoiceTable& table);

}  // namespace stackrace
