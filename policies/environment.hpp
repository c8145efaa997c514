#pragma once
#include <vector>

namespace stackrace {

// What the agents of each country see of each stack in one month. The engine fills
// it from the stacks' state; policies (export controls, tariffs, bans, subsidies —
// see README.md) edit it before the agents decide.
struct StackEnvironment {
  int countries = 0;
  int stacks = 0;
  std::vector<double> capability;  // [stack]
  std::vector<double> price;       // [country * stacks + stack], USD per million tokens

  double& price_in(int country, int stack) { return price[country * stacks + stack]; }
  double price_in(int country, int stack) const { return price[country * stacks + stack]; }
};

}  // namespace stackrace
