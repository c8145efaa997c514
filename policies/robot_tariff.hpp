#pragma once
// A tariff on the robots one bloc's makers build, in the target countries (e.g. the US
// Section 301 tariffs on Chinese industrial robots). It edits nothing agents see: it
// lowers the odds that the countries' new robots come from that bloc (model/robots.hpp),
// and through the installed base the pull of that bloc's open stacks on physical firms.
#include "policies/policy_common.hpp"

namespace stackrace {

struct RobotTariff {
  PolicyWindow window;
  PolicyTargets targets;
  Bloc bloc = Bloc::cn;  // whose robots are taxed
  double rate = 0;       // fraction added to their price

  bool operator==(const RobotTariff&) const = default;

  void edit(const PolicyContext&, StackEnvironment&) const {}
};

}  // namespace stackrace
