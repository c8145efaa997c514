#include "model/compute_market.hpp"

#include <algorithm>
#include <cmath>

#include "model/capacity.hpp"
#include "policies/policy.hpp"

namespace stackrace {
namespace {

bool is_home(const Scenario& s, int c) {
  const std::vector<int>& home = s.compute.cn.home;
  return std::find(home.begin(), home.end(), c) != home.end();
}

// Chinese output meets restricted demand at home first, then abroad in the countries
// not aligned with the US; a share of it is sold abroad whatever home lacks.
void fill_with_chinese(const Scenario& s, int t, ComputeAccess& a) {
  const int C = s.country_count();
  double home = 0, abroad = 0;
  for (int c = 0; c < C; ++c) {
    const double wanted = a.restricted[c] * a.demand[c];
    if (is_home(s, c)) home += wanted;
    else if (s.countries[c].alignment != Bloc::us) abroad += wanted;
  }
  const double output = chinese_accelerators(s, t);
  // Home takes what it needs, unless that would leave less than the export share abroad.
  const bool home_served = output - home >= s.compute.cn.export_share * output;
  const double exports = home_served ? output - home : s.compute.cn.export_share * output;
  a.home_fill = home_served || home <= 0 ? 1.0 : (output - exports) / home;
  a.abroad_fill = abroad > 0 ? std::min(1.0, exports / abroad) : 1.0;
  for (int c = 0; c < C; ++c) {
    // A country that wants no accelerators has nothing to fill or leave unmet.
    if (a.demand[c] <= 0) continue;
    const double fill = is_home(s, c) ? a.home_fill : s.countries[c].alignment == Bloc::us ? 0.0 : a.abroad_fill;
    a.chinese[c] = a.restricted[c] * fill;
    a.unmet[c] = a.restricted[c] - a.chinese[c];
  }
}

// A built bundle supplies `compute_share` of its country's new compute from its bloc's
// accelerators — first what went unmet, then in place of the other bloc's — and adds
// its data-centre power.
void add_bundle(const InfrastructureBundle& b, int c, ComputeAccess& a) {
  const double covered = std::min(a.unmet[c], b.compute_share);
  a.unmet[c] -= covered;
  const double displaced_room = b.offered_by == Bloc::cn ? 1.0 - a.unmet[c] - a.chinese[c] - covered : a.chinese[c];
  const double displaced = std::clamp(b.compute_share - covered, 0.0, std::max(0.0, displaced_room));
  if (b.offered_by == Bloc::cn) a.chinese[c] += covered + displaced;
  else if (b.offered_by == Bloc::us) a.chinese[c] -= displaced;
  a.extra_datacenter_mw[c] += b.power_mw;
}

}  // namespace

double accelerator_demand(const Scenario& s, int c, int t) {
  const CountrySpec& country = s.countries[c];
  const double mw = datacenter_power(s.compute, country, t);
  return mw * s.compute.h100e_per_mw * std::pow(1.0 + s.compute.efficiency_growth, t) * s.compute.yearly_additions;
}

double chinese_accelerators(const Scenario& s, int t) {
  return s.compute.cn.accelerators_h100e_per_year * std::pow(1.0 + s.compute.cn.accelerator_growth, t);
}

ComputeAccess resolve_compute(const Scenario& s, const PolicyState* policies, int t) {
  const int C = s.country_count();
  ComputeAccess a;
  a.demand.resize(C);
  for (int c = 0; c < C; ++c) a.demand[c] = accelerator_demand(s, c, t);
  a.restricted.assign(C, 0.0);
  a.chinese.assign(C, 0.0);
  a.unmet.assign(C, 0.0);
  a.extra_datacenter_mw.assign(C, 0.0);
  for (const Policy& p : s.policies)
    if (auto* e = std::get_if<ExportControl>(&p); e && e->window.covers(t)) e->restrict(a.demand, a.restricted);
  fill_with_chinese(s, t, a);
  if (!policies) return a;
  for (std::size_t i = 0; i < s.policies.size(); ++i) {
    auto* b = std::get_if<InfrastructureBundle>(&s.policies[i]);
    if (!b || !b->window.covers(t)) continue;
    for (int c = 0; c < C; ++c)
      if (b->built(policies->accepted_at[i][c], t)) add_bundle(*b, c, a);
  }
  return a;
}

void price_compute(const Scenario& s, const ComputeAccess& access, StackEnvironment& env) {
  const ComputeDynamics& compute = s.compute;
  for (int c = 0; c < env.countries; ++c) {
    if (access.unmet[c] == 0 && access.chinese[c] == 0) continue;
    for (int k = 0; k < env.stacks; ++k) {
      const StackSpec& stack = s.stacks[k];
      if (stack.outside || !stack.open_weights) continue;
      // Self-hosting needs compute: unmet demand makes it dear. Chinese accelerators
      // come with Chinese clouds, which sell Chinese models cheaper, and are not what
      // other stacks are built for (porting, speed).
      const double chinese = access.chinese[c];
      const double bloc_effect = stack.bloc == Bloc::cn ? -compute.chinese_cloud_discount * chinese
                                                        : compute.foreign_chip_premium * chinese;
      env.price_in(c, k) *= 1.0 + compute.self_hosting_premium * access.unmet[c] + bloc_effect;
    }
  }
}

}  // namespace stackrace
