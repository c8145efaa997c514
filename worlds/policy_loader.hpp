#pragma once
#include "worlds/detail/table_reader.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// Reads `[[policies]]` (worlds/README.md, "Policies"): each entry's `type`, window
// (`start`, `end` as YYYY-MM, inclusive), `targets` and its own keys. Needs the
// scenario's start, stacks and countries read first. Policies are stored in the order
// they apply within a month.
void read_policies(detail::TableReader& root, Scenario& s, detail::ScenarioSource& file);

// Reads `[[availability]]` (worlds/README.md, "Availability"): each entry's `stack`,
// `targets`, `leakage` and window, like a policy's. Needs the stacks and countries read.
void read_availability(detail::TableReader& root, Scenario& s, detail::ScenarioSource& file);

// Reads `[[events]]` (worlds/README.md, "Events"): each entry's `date`, `stack` and
// what it sets (`lag_months`, `capability`, `price`). Needs the stacks read.
void read_events(detail::TableReader& root, Scenario& s, detail::ScenarioSource& file);

// Months from `from` to `to`, both YYYY-MM.
int months_between(const std::string& from, const std::string& to);

}  // namespace stackrace
