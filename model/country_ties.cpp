#include "model/country_ties.hpp"

#include <map>
#include <string>
#include <unordered_map>

namespace stackrace {

CountryTies tie_countries(const std::vector<CountrySpec>& countries) {
  std::unordered_map<std::string, int> index;
  for (int c = 0; c < int(countries.size()); ++c) index.emplace(countries[c].id, c);
  // Both directions summed, each pair once per country (ordered maps: the result does not
  // depend on the order ties were listed in).
  std::vector<std::map<int, double>> both(countries.size());
  for (int c = 0; c < int(countries.size()); ++c)
    for (const auto& [id, collaborations] : countries[c].ties) {
      const int other = index.at(id);
      if (other == c || !(collaborations > 0)) continue;
      both[c][other] += collaborations;
      both[other][c] += collaborations;
    }
  CountryTies ties;
  ties.begin.push_back(0);
  for (const std::map<int, double>& of_country : both) {
    double total = 0;
    for (const auto& [other, w] : of_country) total += w;
    for (const auto& [other, w] : of_country) ties.partner.push_back(other), ties.weight.push_back(w / total);
    ties.begin.push_back(int(ties.partner.size()));
  }
  return ties;
}

void share_through_ties(const CountryTies& ties, const std::vector<double>& share, const std::vector<double>& fallback,
                        int stacks, std::vector<double>& seen) {
  const int C = int(ties.begin.size()) - 1;
  seen.assign(std::size_t(C) * stacks, 0.0);
  for (int c = 0; c < C; ++c) {
    double* const out = seen.data() + std::size_t(c) * stacks;
    if (!ties.has_ties(c)) {
      for (int k = 0; k < stacks; ++k) out[k] = fallback[k];
      continue;
    }
    for (int i = ties.begin[c]; i < ties.begin[c + 1]; ++i) {
      const double* const theirs = share.data() + std::size_t(ties.partner[i]) * stacks;
      for (int k = 0; k < stacks; ++k) out[k] += ties.weight[i] * theirs[k];
    }
  }
}

}  // namespace stackrace
