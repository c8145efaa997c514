#include "model/regime.hpp"

#include <algorithm>

#include "agents/stack_utility.hpp"

namespace stackrace {

double rival_ban_probability(double rate, Bloc country_alignment, Bloc stack_bloc, double developer_share) {
  if (bloc_affinity(country_alignment, stack_bloc) >= 0) return 0.0;
  return std::clamp(rate * developer_share, 0.0, 1.0);
}

void decide_regimes(const Scenario& s, const MonthView& view, int month,
                    const std::function<double(std::uint64_t)>& draw, std::vector<std::uint8_t>& barred,
                    std::span<std::int64_t> ban_month, StackEnvironment& env) {
  const double rate = s.kind_weights(AgentKind::country).rival_ban_rate;
  if (rate <= 0) return;  // no government ever bars: nothing was barred either
  const int K = s.stack_count(), C = s.country_count();
  for (int c = 0; c < C; ++c) {
    for (int k = 0; k < K; ++k) {
      const std::size_t cell = std::size_t(c) * K + k;
      if (!barred[cell] && !s.stacks[k].outside) {
        const double p = rival_ban_probability(rate, s.countries[c].alignment, s.stacks[k].bloc, view.developer_share[cell]);
        if (p > 0 && draw(cell) < p) {
          barred[cell] = 1;
          ban_month[cell] = month;
        }
      }
      if (barred[cell]) env.banned[index_of(AgentKind::country)][env.cell(c, k)] = 1;
    }
  }
}

}  // namespace stackrace
