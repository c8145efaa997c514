#pragma once
// Dated events on the stacks (MODEL.md, 7.2, "Events"): a release, a price cut, a stack
// falling behind — what happened (or what an analyst asks "what if" about) in a given
// month, as scenario data (`[[events]]`). In its month an event sets, after the month's
// dynamics, whatever it names of its stack: its lag behind the frontier (its
// capability moves with it, a month of lag costing the frontier's monthly growth), its
// capability score, or its price. From there the stack's own dynamics carry on.
#include <optional>
#include <string>
#include <vector>

namespace stackrace {

struct StackEvent {
  std::string name;  // e.g. "DeepSeek-R1 released"
  int month = 0;     // months since the scenario's start; the event applies in that month's step
  int stack = 0;
  std::optional<double> lag_months;  // months behind the frontier from this month
  std::optional<double> capability;  // score from this month
  std::optional<double> price;       // USD per million tokens from this month

  bool operator==(const StackEvent&) const = default;
};

}  // namespace stackrace
