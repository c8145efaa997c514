#pragma once
// Calibration of the choice constants (MODEL.md, 5.4). For kinds with `calibrate`, a
// constant per country and stack makes new adopters split between stacks as the
// country's users do at the start (with the kind's momentum on open-weight stacks); and
// for every kind, the value of adopting at the start, against which later gains speed
// adoption up (agents/adoption.hpp). Both are fitted to the start as the scenario
// describes it — starting shares, reference capabilities and prices — not as drawn, so
// that they do not depend on the seed: a World computes them once.
#include <array>
#include <vector>

#include "agents/agent_kind.hpp"
#include "model/scenario.hpp"

namespace stackrace {

struct Calibration {
  std::array<std::vector<double>, agent_kind_count> constant;     // [kind][c * K + k]
  std::array<std::vector<double>, agent_kind_count> start_value;  // [kind][c]: the logsum at the start
};

Calibration calibrate(const Scenario& s);

}  // namespace stackrace
