#pragma once
// The compute beneath the stacks (MODEL.md, 7.3): where each country's new AI compute
// comes from in a month. Every country wants new accelerators in proportion to its data
// centres; US suppliers meet all of it except what export controls forbid (the
// restricted share, after leakage). Chinese accelerators fill the gap as far as their
// supply allows: first at home (the cn bloc's home countries), then abroad — in the
// countries not aligned with the US, which may buy them — with a share of output sold
// abroad even while home demand goes unmet. What nobody meets is unmet. A built
// infrastructure bundle supplies a share of its country's new compute from its bloc.
//
// From this follow what self-hosting a stack costs in each country (price_compute): an
// open-weight stack costs more where compute goes unmet; where Chinese accelerators
// serve, the Chinese clouds that come with them sell Chinese stacks cheaper, and a
// non-Chinese open stack costs more, run on accelerators it is not built for. Closed
// stacks are served from their providers' own clouds and pay none of this. And the controlled bloc's frontier slows where its home's demand goes
// unmet (policies/export_control.hpp, drive). So the sign of a control's effect comes
// from the world's inputs: with Chinese supply scarce, capping a country raises the
// price of self-hosting and moves it toward US APIs; with it plentiful, Chinese
// accelerators fill the cap and move it toward the Chinese stacks.
#include <vector>

#include "model/scenario.hpp"

namespace stackrace {

struct PolicyState;

struct ComputeAccess {
  std::vector<double> demand;      // [c]: new accelerators wanted, H100-equivalents a year
  std::vector<double> restricted;  // [c]: share of the demand US suppliers may not meet (export controls)
  std::vector<double> chinese;     // [c]: share of the new compute on Chinese accelerators
  std::vector<double> unmet;       // [c]: share of the demand nobody meets
  std::vector<double> extra_datacenter_mw;  // [c]: data-centre power built by bundles
  double home_fill = 1;    // share of the restricted demand at home that Chinese output meets
  double abroad_fill = 1;  // the same abroad
};

// Country c's demand for new accelerators in month t, H100-equivalents a year: its
// data-centre power (growing with its electricity) times the accelerators a megawatt
// holds (growing with compute per watt) times the yearly additions.
double accelerator_demand(const Scenario& s, int c, int t);

// Chinese accelerator output in month t, H100-equivalents a year.
double chinese_accelerators(const Scenario& s, int t);

// Month t's compute access, from the export controls in force and the bundles built by
// then (`policies` null: none accepted).
ComputeAccess resolve_compute(const Scenario& s, const PolicyState* policies, int t);

// What self-hosting and local serving cost in each country: multiplies env's prices.
void price_compute(const Scenario& s, const ComputeAccess& access, StackEnvironment& env);

}  // namespace stackrace
