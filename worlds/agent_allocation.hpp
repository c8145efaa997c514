#pragma once
#include <cstdint>
#include <vector>

namespace stackrace {

// Shares `total` agents among countries in proportion to `real_counts` (the real
// developers or firms each country has): every country with a positive count gets at
// least one agent (taken from the largest), the rest go by largest remainder, ties to the lower index. The
// result sums to `total` exactly. Requires total >= the number of positive counts.
// With `at_least_one` false it is plain largest remainder (for splitting a country's
// agents among segments, where a forced agent would over-represent a rare segment).
std::vector<std::int64_t> allocate_agents(std::int64_t total, const std::vector<double>& real_counts,
                                          bool at_least_one = true);

}  // namespace stackrace
