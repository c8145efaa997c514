#pragma once
// Export controls on advanced AI accelerators (US chips, in the shipped scenarios), as
// the rules are written: target countries get tiered access — capped at so many
// H100-equivalents a year, or embargoed — softened by leakage (smuggling, chips bought
// through third countries, rented in foreign clouds). A control says only how much of a
// country's demand for new accelerators US suppliers may not meet; what follows — who
// fills the gap (Chinese accelerators, where their supply allows), what self-hosting then
// costs, how far the controlled bloc's frontier falls behind — is the world's
// (model/compute_market.cpp, MODEL.md 7.3, "The compute beneath the stacks").
#include <algorithm>
#include <span>

#include "policies/policy_common.hpp"

namespace stackrace {

struct ExportControl {
  PolicyWindow window;
  PolicyTargets targets;
  enum class Access { capped, embargoed } access = Access::embargoed;
  Bloc restricted_bloc = Bloc::cn;  // the bloc whose frontier compute the controls hold back
  double cap_h100e_per_year = 0;    // capped: imports allowed per country per year
  double leakage = 0.1;             // share of restricted demand served anyway
  double compute_growth_cut = 0.5;  // share of the restricted bloc's compute growth lost where its home's demand goes unmet

  bool operator==(const ExportControl&) const = default;

  // How much of a country's demand for new accelerators (`demand`, H100e a year) US
  // suppliers may not meet: 0 none, 1 all.
  double restriction(double demand) const {
    if (access == Access::embargoed) return 1.0 - leakage;
    if (demand <= 0) return 0.0;
    return (1.0 - leakage) * std::max(0.0, 1.0 - cap_h100e_per_year / demand);
  }

  // Raises restricted[c] to this control's restriction in each target country (the
  // tightest control in force wins); demand[c] in H100e a year.
  void restrict(std::span<const double> demand, std::span<double> restricted) const {
    for (std::size_t c = 0; c < restricted.size(); ++c)
      if (targets.includes(int(c))) restricted[c] = std::max(restricted[c], restriction(demand[c]));
  }

  // The restricted bloc's compute grows more slowly by compute_growth_cut times the share
  // of its home countries' demand for accelerators that nobody meets (`unmet` [c], from
  // the compute market; `home`: the bloc's home countries), where this control targets them.
  void drive(std::span<const double> unmet, std::span<const int> home, StackDrivers& drivers) const {
    double strongest = 0;
    for (int c : home)
      if (targets.includes(c)) strongest = std::max(strongest, unmet[c]);
    double& cut = drivers.compute_growth_cut[bloc_index(restricted_bloc)];
    cut = std::max(cut, compute_growth_cut * strongest);
  }
};

}  // namespace stackrace
