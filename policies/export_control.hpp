#pragma once
// Export controls on advanced AI hardware (US chips, in the shipped scenarios). Target
// countries get tiered access — capped (at so many H100-equivalents a year) or
// embargoed — softened by leakage (smuggling, access to foreign clouds). Where access is
// restricted, self-hosting open-weight models costs more; the controlled bloc's compute
// grows more slowly, so its stacks fall behind (stack_dynamics); and, as the seed
// evidence describes, the controls push that bloc toward cheaper, more efficient models
// (an extra price decline of its stacks).
#include <algorithm>

#include "policies/policy_common.hpp"

namespace stackrace {

struct ExportControl {
  PolicyWindow window;
  PolicyTargets targets;
  enum class Access { capped, embargoed } access = Access::embargoed;
  Bloc restricted_bloc = Bloc::cn;        // the bloc whose compute the controls hold back
  double cap_h100e_per_year = 0;          // capped: imports allowed per country per year
  double leakage = 0.1;                   // share of restricted demand served anyway
  double h100e_per_mw = 700;              // H100-equivalents a megawatt of data centre holds
  double yearly_additions = 0.3;          // a country's yearly chip demand, as a share of its installed base
  double self_hosting_premium = 0.5;      // price rise of open-weight stacks at full restriction
  double compute_growth_cut = 0.5;        // share of the restricted bloc's compute growth lost at full restriction
  double efficiency_response = 0.0;       // extra monthly price decline of the restricted bloc's stacks at full restriction

  bool operator==(const ExportControl&) const = default;

  // How restricted a country's access is: 0 none, 1 total.
  double restriction(const CountrySpec& c) const {
    if (access == Access::embargoed) return 1.0 - leakage;
    const double demand = c.datacenter_mw * h100e_per_mw * yearly_additions;
    if (demand <= 0) return 0.0;
    return (1.0 - leakage) * std::max(0.0, 1.0 - cap_h100e_per_year / demand);
  }

  void drive(const PolicyContext& ctx, StackDrivers& drivers) const {
    double strongest = 0;  // the restriction on the restricted bloc's own countries
    for (std::size_t c = 0; c < ctx.countries.size(); ++c)
      if (targets.includes(int(c)) && ctx.countries[c].alignment == restricted_bloc)
        strongest = std::max(strongest, restriction(ctx.countries[c]));
    double& cut = drivers.compute_growth_cut[bloc_index(restricted_bloc)];
    cut = std::max(cut, compute_growth_cut * strongest);
    for (std::size_t k = 0; k < ctx.stacks.size(); ++k)
      if (ctx.stacks[k].bloc == restricted_bloc) drivers.extra_price_decline[k] += efficiency_response * strongest;
  }

  void edit(const PolicyContext& ctx, StackEnvironment& env) const {
    for (std::size_t c = 0; c < ctx.countries.size(); ++c) {
      if (!targets.includes(int(c))) continue;
      const double r = restriction(ctx.countries[c]);
      for (std::size_t k = 0; k < ctx.stacks.size(); ++k)
        if (ctx.stacks[k].open_weights) env.price_in(int(c), int(k)) *= 1.0 + self_hosting_premium * r;
    }
  }
};

}  // namespace stackrace
