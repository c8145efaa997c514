#include "model/robots.hpp"

#include <algorithm>
#include <cmath>

namespace stackrace {
namespace {

bool runs_robots(const Scenario& s) {
  if (!s.feedback.physical_ai) return false;
  return std::any_of(s.countries.begin(), s.countries.end(), [](const CountrySpec& c) { return c.robot_density > 0; });
}

// 1 + τ_{c,b}(t): the robot tariffs on bloc b's robots in force in country c, compounded.
double tariff_factor(const std::vector<const RobotTariff*>& tariffs, int t, int c, Bloc bloc) {
  double factor = 1.0;
  for (const RobotTariff* tariff : tariffs)
    // Like every policy, from month 1: the robots installed before the start were bought untaxed.
    if (t >= 1 && tariff->bloc == bloc && tariff->window.covers(t) && tariff->targets.includes(c))
      factor *= 1.0 + tariff->rate;
  return factor;
}

// s_{c,b}(t) for the three blocs, into `share`; `gained` [b] is exp(g_b (t − t_counted) / 12).
void new_robot_shares(const Scenario& s, const std::vector<const RobotTariff*>& tariffs, const double* gained, int t,
                      int c, double* share) {
  const RobotMarket& m = s.robots;
  double counted[robot_bloc_count];
  for (int b = 0; b < robot_bloc_count - 1; ++b) counted[b] = m.of(robot_blocs[b]).counted_share(c);
  counted[robot_bloc_count - 1] = std::max(0.0, 1.0 - counted[0] - counted[1]);  // the other bloc's makers: the rest
  double all = 0;
  for (int b = 0; b < robot_bloc_count; ++b) {
    share[b] = counted[b] * gained[b];
    if (!tariffs.empty()) share[b] *= std::pow(tariff_factor(tariffs, t, c, robot_blocs[b]), -m.tariff_elasticity);
    all += share[b];
  }
  for (int b = 0; b < robot_bloc_count; ++b) share[b] = all > 0 ? share[b] / all : 0.0;
}

}  // namespace

// Months before the start over which the installed base at the start is built up from
// the makers' past shares: enough for what was installed before to have turned over.
constexpr int back_months = 600;

RobotPath robot_path(const Scenario& s) {
  RobotPath path;
  if (!runs_robots(s)) return path;
  const RobotMarket& m = s.robots;
  const int C = s.country_count();
  path.countries = C;
  for (int b = 0; b < robot_bloc_count; ++b) path.ships[b] = m.of(robot_blocs[b]).stack_bloc(robot_blocs[b]);
  for (const CountrySpec& c : s.countries) {
    const double density = c.robot_density > 0 ? c.robot_density : m.unlisted_density;
    path.embodiment.push_back(density > 0 ? density / (density + m.reference_density) : 0.0);
  }
  const std::size_t cells = std::size_t(s.steps + 1) * C * robot_bloc_count;
  path.installed.assign(cells, 0.0);
  path.new_robots.assign(cells, 0.0);
  const double growth = std::pow(1.0 + m.stock_growth, 1.0 / 12.0) - 1.0;  // g, a month
  const double installed = m.installation_rate / 12.0;                      // g + δ, a month
  std::vector<const RobotTariff*> tariffs;
  for (const Policy& p : s.policies)
    if (auto* tariff = std::get_if<RobotTariff>(&p)) tariffs.push_back(tariff);
  std::vector<double> base(std::size_t(C) * robot_bloc_count);  // h_{c,b}, month by month
  double fresh[robot_bloc_count];
  for (int t = -back_months; t <= s.steps; ++t) {
    double gained[robot_bloc_count];
    for (int b = 0; b < robot_bloc_count; ++b)
      gained[b] = std::exp(m.of(robot_blocs[b]).odds_growth * (t - m.counted_month) / 12.0);
    for (int c = 0; c < C; ++c) {
      new_robot_shares(s, tariffs, gained, t, c, fresh);
      double* const h = &base[std::size_t(c) * robot_bloc_count];
      for (int b = 0; b < robot_bloc_count; ++b)
        h[b] = t == -back_months ? fresh[b] : ((1.0 + growth - installed) * h[b] + installed * fresh[b]) / (1.0 + growth);
      if (t < 0) continue;
      for (int b = 0; b < robot_bloc_count; ++b) {
        path.new_robots[path.at(t, c, b)] = fresh[b];
        path.installed[path.at(t, c, b)] = h[b];
      }
    }
  }
  return path;
}

}  // namespace stackrace
