#pragma once
// Ties between countries through which developers see what others use (MODEL.md 7.3,
// "Ties"): developer collaboration across borders (GitHub Innovation Graph). Country c's
// tie to c' is the collaboration both ways, c's developers on c' repositories and c''s on
// c's; each country's ties are normalised to sum to 1, so what a country sees through
// them is a weighted mean of its partners' developer shares.
#include <vector>

#include "agents/attributes.hpp"

namespace stackrace {

struct CountryTies {
  std::vector<int> begin;       // [c]: country c's ties are [begin[c], begin[c + 1])
  std::vector<int> partner;     // the partner of each tie
  std::vector<double> weight;   // its share of the country's collaboration (each country's sum 1)

  bool empty() const { return partner.empty(); }
  bool has_ties(int c) const { return begin[c + 1] > begin[c]; }
};

// The normalised, symmetric ties of `countries` (their `ties` name partners by id; the
// loader checks that every partner exists).
CountryTies tie_countries(const std::vector<CountrySpec>& countries);

// Into `seen` [c][k]: the mean of c's partners' `share` [c'][k] weighted by its ties, or
// `fallback` [k] (the world's share) for a country without ties.
void share_through_ties(const CountryTies& ties, const std::vector<double>& share, const std::vector<double>& fallback,
                        int stacks, std::vector<double>& seen);

}  // namespace stackrace
