#include "worlds/agent_allocation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace stackrace {

std::vector<std::int64_t> allocate_agents(std::int64_t total, const std::vector<double>& real_counts,
                                          bool at_least_one) {
  const std::size_t n = real_counts.size();
  std::vector<std::int64_t> agents(n, 0);
  const double sum = std::accumulate(real_counts.begin(), real_counts.end(), 0.0);
  if (total == 0 || !(sum > 0)) return agents;

  // Hamilton's method: whole parts first, then one more agent each to the largest remainders.
  std::vector<double> remainder(n, 0.0);
  std::int64_t given = 0;
  for (std::size_t c = 0; c < n; ++c) {
    double exact = static_cast<double>(total) * real_counts[c] / sum;
    agents[c] = static_cast<std::int64_t>(std::floor(exact));
    remainder[c] = exact - static_cast<double>(agents[c]);
    given += agents[c];
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  // Rounding error can leave `given` off `total` by more than n in huge worlds: cycle.
  for (std::size_t i = 0; given < total; i = (i + 1) % n)
    if (real_counts[order[i]] > 0) ++agents[order[i]], ++given;
  for (std::size_t i = 0; given > total; i = (i + 1) % n)
    if (agents[order[n - 1 - i]] > 0) --agents[order[n - 1 - i]], --given;

  // No country with people in it may vanish from the output: each gets at least one
  // agent, taken from the country with the most.
  for (std::size_t c = 0; c < n && at_least_one; ++c) {
    if (real_counts[c] > 0 && agents[c] == 0) {
      auto largest = std::max_element(agents.begin(), agents.end());
      if (*largest <= 1) break;  // fewer agents than countries: the caller refuses this
      --*largest;
      agents[c] = 1;
    }
  }
  return agents;
}

}  // namespace stackrace
