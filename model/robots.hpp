#pragma once
// Physical AI (MODEL.md 7.2c): the robots physical firms run, by the bloc whose makers
// built them. A robot's on-board models must run where it works, without a round trip to
// a closed model's servers, so they are mostly open weights — and a maker ships its own bloc's
// (Unitree and AgiBot Chinese models, NVIDIA's GR00T and Physical Intelligence's π0 US
// ones). Physical firms lean toward the open stacks of the bloc that built their
// country's robots, the more so the more robots the country runs.
//
// The makers' share of the robots installed in country c in month t:
//
//   odds_{c,b}(t) = share_{c,b} · exp(g_b · (t − t_counted) / 12) · (1 + τ_{c,b}(t))^(−β)
//   s_{c,b}(t)    = odds_{c,b}(t) / Σ_b' odds_{c,b'}(t)
//
// share_{c,b} the bloc's sourced share of new robots when counted (at home, or abroad;
// the other bloc's makers — Japan's, Europe's, Korea's — hold the rest),
// g_b the yearly growth of the log-odds of its robots (China's makers' rise at home),
// τ_{c,b} the robot tariffs in force from month 1 (policies), β how much a tariff lowers
// the odds. Each month installations of i/12 of the stock (i = installation_rate a year)
// replace what retires (δ = i/12 − g) and add the stock's growth g:
//
//   h_{c,b}(t) = ((1 − δ) · h_{c,b}(t − 1) + (g + δ) · s_{c,b}(t)) / (1 + g)
//
// the base at the start built by the same recursion over the 50 years before it, from the
// makers' past (untaxed) shares. A country's embodiment — the share of its physical work
// done with robots, saturating — is e_c = d_c / (d_c + d_ref), d_c its robot density.
// A bloc's makers ship the open stacks of the bloc `ships` names (their own unless
// said: Japanese and European makers build on NVIDIA's platform). What physical firms
// see of stack k:
//
//   pull_{c,k}(t) = e_c · Σ_{b ships bloc_k} h_{c,b}(t)   for an open-weight stack; 0 for a closed one.
//
// Nothing here depends on agents: the path is the world's (model/world.hpp), the same
// for every run of a scenario.
#include <array>
#include <vector>

#include "model/scenario.hpp"

namespace stackrace {

inline constexpr int robot_bloc_count = 3;  // us, cn, other (bloc_index − 1)
inline constexpr std::array<Bloc, robot_bloc_count> robot_blocs{Bloc::us, Bloc::cn, Bloc::other};

struct RobotPath {
  int countries = 0;
  std::vector<double> installed;   // [t][c][bloc]: h, the makers' shares of the installed base
  std::vector<double> new_robots;  // [t][c][bloc]: s, their shares of the month's installations
  std::vector<double> embodiment;  // [c]: e_c

  bool empty() const { return installed.empty(); }
  std::size_t at(int t, int c, int b) const { return (std::size_t(t) * countries + c) * robot_bloc_count + b; }
  std::array<Bloc, robot_bloc_count> ships{};  // [makers]: the bloc whose open stacks they run
  // Σ h_{c,b}(t) over the makers b that ship `stack_bloc`'s stacks.
  double shipping(int t, int c, Bloc stack_bloc) const {
    double h = 0;
    for (int b = 0; b < robot_bloc_count; ++b)
      if (ships[b] == stack_bloc) h += installed[at(t, c, b)];
    return h;
  }
};

// The path over months 0 .. s.steps; empty when `feedback.physical_ai` is off or no
// country runs robots.
RobotPath robot_path(const Scenario& s);

// pull_{c,k}(t): what physical firms in country c see of stack k in month t.
inline double robot_pull(const Scenario& s, const RobotPath& robots, int t, int c, int k) {
  const StackSpec& stack = s.stacks[k];
  if (robots.empty() || stack.outside || !stack.open_weights) return 0.0;
  return robots.embodiment[c] * robots.shipping(t, c, stack.bloc);
}

}  // namespace stackrace
