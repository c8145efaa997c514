#include "worlds/record_groups.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace stackrace {
namespace {

constexpr std::array<std::string_view, 27> eu27 = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"};

}  // namespace

std::vector<int> stacks_of(const Scenario& s, const std::string& name) {
  std::vector<int> stacks;
  for (int k = 0; k < s.stack_count(); ++k) {
    const StackSpec& stack = s.stacks[k];
    const bool grouped = !stack.outside && ((name == "open" && stack.open_weights) ||
                                            ((name == "us" || name == "cn") && bloc_name(stack.bloc) == name));
    if (stack.id == name || grouped) stacks.push_back(k);
  }
  return stacks;
}

std::vector<int> countries_of(const Scenario& s, const std::string& name) {
  std::vector<int> countries;
  for (int c = 0; c < s.country_count(); ++c) {
    const std::string& id = s.countries[c].id;
    const bool member = name == "WLD" || (name == "EU27" && std::find(eu27.begin(), eu27.end(), id) != eu27.end());
    if (id == name || member) countries.push_back(c);
  }
  return countries;
}

}  // namespace stackrace
