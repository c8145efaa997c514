#pragma once
// A world's `[posterior]`: the table of parameter draws it runs over with `run --draws`
// and `compare --draws` (sim/cli/posterior_runs.hpp), and which of the table's columns
// it takes. The default world takes the hindcast's posterior of its behavioural weights
// (MODEL.md, 10.1).
#include "model/scenario.hpp"
#include "worlds/detail/table_reader.hpp"

namespace stackrace::detail {

// Reads `[posterior]` when there is one. Run after every other section is read: each key
// must name a number of the resolved scenario (defaults written back). The table itself
// is not read here (sim/cli/posterior_runs.cpp reads it, and checks its columns, when a
// run draws from it). Throws ScenarioError at the key.
void read_posterior_link(TableReader& root, Scenario& s, ScenarioSource& source);

}  // namespace stackrace::detail
