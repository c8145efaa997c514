#include "worlds/detail/target_index.hpp"

namespace stackrace::detail {

TargetIndex::TargetIndex(const std::vector<CountrySpec>& countries) : country_count_(countries.size()) {
  for (int c = 0; c < static_cast<int>(countries.size()); ++c) {
    const CountrySpec& country = countries[c];
    // A country's id may itself read as a group (a country named `all`): it is in both.
    for (const std::string& target : {std::string("all"), country.id, "tier:" + std::to_string(country.export_control_tier),
                                      "region:" + country.region, "alignment:" + alignment_name(country.alignment)}) {
      std::vector<int>& members = named_[target];
      if (members.empty() || members.back() != c) members.push_back(c);
    }
  }
}

const std::vector<int>* TargetIndex::countries_of(const std::string& target) const {
  const auto found = named_.find(target);
  return found == named_.end() ? nullptr : &found->second;
}

}  // namespace stackrace::detail
