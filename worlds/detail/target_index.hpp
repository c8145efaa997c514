#pragma once
// The countries each policy target names (worlds/README.md, "[[policies]]": a country id,
// `all`, `tier:N`, `alignment:BLOC`, `region:NAME`), built once per scenario so that a
// target is one lookup, not a comparison with every country: a policy listing thousands
// of countries of a table of thousands loads in linear time.
#include <string>
#include <unordered_map>
#include <vector>

#include "model/scenario.hpp"

namespace stackrace::detail {

class TargetIndex {
 public:
  explicit TargetIndex(const std::vector<CountrySpec>& countries);

  // The countries `target` names, in order; null where it names none.
  const std::vector<int>* countries_of(const std::string& target) const;
  std::size_t country_count() const { return country_count_; }

 private:
  std::unordered_map<std::string, std::vector<int>> named_;
  std::size_t country_count_;
};

}  // namespace stackrace::detail
