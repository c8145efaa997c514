#pragma once
// The attributes of stacks, countries and kinds of agent that decision rules read:
// plain values, filled from a scenario by worlds/ and never changed during a run.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/agent_kind.hpp"
#include "agents/segments.hpp"
#include "agents/stack_choice.hpp"

namespace stackrace {

enum class Bloc : std::uint8_t { none = 0, us = 1, cn = 2, other = 3 };

// A bloc as scenarios and result files spell it, and back (an unknown name is `other`;
// the loaders accept only the names they list).
inline std::string bloc_name(Bloc b) {
  return b == Bloc::us ? "us" : b == Bloc::cn ? "cn" : b == Bloc::none ? "none" : "other";
}
inline Bloc bloc_named(std::string_view name) {
  return name == "us" ? Bloc::us : name == "cn" ? Bloc::cn : name == "none" ? Bloc::none : Bloc::other;
}
// A country's alignment as scenarios and result files spell it: a bloc, or `none`
// (non-aligned).
inline std::string alignment_name(Bloc b) { return b == Bloc::us || b == Bloc::cn ? bloc_name(b) : "none"; }

struct StackSpec {
  std::string id;
  bool outside = false;       // the outside option: not using AI (at most one stack)
  Bloc bloc = Bloc::other;    // whose chips, clouds and export controls it depends on
  bool open_weights = false;  // weights available: self-hosting, fine-tuning, local data
  bool momentum = false;      // new adopters lean toward it (KindWeights::calibrate_momentum); by default, open stacks
  double capability = 0;      // benchmark-style score at the start (the frontier is about 1)
  double capability_growth = 0;  // score added each month
  double lag_months = 0;      // months behind the frontier at the start (drives compute feedback)
  double price = 1;           // USD per million tokens at the start
  double price_decline = 0;   // fraction of the price lost each month
  // The capability and price at which kinds with `calibrate` fitted their constants to
  // the observed starting shares; a scenario that changes `price` or `capability`
  // but not these is a counterfactual against the calibrated world.
  double reference_capability = 0;
  double reference_price = 1;
  // What the stack is worth to every adopter beyond its capability score and price (its
  // brand, products, ecosystem), in utility: the constant of kinds that do not calibrate
  // theirs (MODEL.md, 5.4). A fitted parameter of the hindcast (worlds/calibrations/).
  double appeal = 0;
};

// How agents on the outside option adopt AI: a Bass hazard (innovation p, imitation q
// times the country's adoption share of the same kind), integrated exactly over a month.
struct AdoptionRule {
  double innovation = 0.01;       // p, per month
  double imitation = 0.1;         // q, per month
  double income_elasticity = 0;   // p scales with (GDP per head / reference)^elasticity
  double value_elasticity = 0;    // p scales with exp(elasticity * gain in the value of adopting)
  double abandon = 0;             // per month: an adopter returns to the outside option
  double reference_gdp_per_capita = 10'000;  // USD
  // Firms: the hazard of a size class scales with (staff per firm / a small firm's)^this
  // (MODEL.md, 7.6.2); 0 for other kinds.
  double size_elasticity = 0;
};

// Every term of a stack's utility for one kind of agent (MODEL.md, "Choice").
struct KindWeights {
  ChoiceWeights base;           // revise, capability, log_price, country_share, switching_cost
  double global_share = 0;      // world-wide developer share on the stack
  double tie_share = 0;         // developer share on the stack among the country's tie partners (model/country_ties.hpp)
  double open_weights = 0;      // value of open weights
  double alignment = 0;         // affinity to the stack's bloc: +1 same camp, -1 rival camp
  double localisation = 0;      // penalty per level of data localisation for closed foreign stacks
  double government = 0;        // pull toward the stack the country's government uses
  double employer = 0;          // developers: pull toward their employer's stack
  double self_hosting = 0;      // physical-industry firms: extra value of open weights
  double robot_bundle = 0;      // physical-industry firms: pull of the open stacks their robots' makers ship, per unit of embodiment
  double large_firm_price_factor = 1;  // large firms weigh price by this factor
  bool calibrate = false;         // fit per-country constants so that new adopters split as users do at the start
  double calibrate_momentum = 1;  // odds multiplier on stacks with momentum (StackSpec) when matching the start
  double rival_ban_rate = 0;      // governments: monthly hazard, per unit of developer share, of barring a rival bloc's stack
};

struct CountrySpec {
  std::string id;    // ISO 3166 alpha-3 code or a group id
  std::string name;
  std::string region;     // World Bank region (used to target policies)
  double developers = 0;  // real developers at the start
  double developer_growth = 0;  // their growth per year at the start (talent: model/talent.hpp)
  double firms = 0;       // real firms
  double gdp_per_capita = 10'000;  // USD
  Bloc alignment = Bloc::none;     // us, cn, or none (non-aligned)
  int export_control_tier = 2;     // 1, 2 or 3 (January 2025 AI-diffusion rule)
  int data_localisation = 0;       // 0 none, 1 partial, 2 strict
  double electricity_gw = 0;       // installed generating capacity
  double electricity_growth = 0;   // per year
  double datacenter_mw = 0;        // data-centre power
  std::optional<double> datacenter_growth;  // growth of data-centre power per year (the build-out); none: its electricity's
  double robot_density = 0;        // industrial robots per 10,000 manufacturing employees
  double physical_share = 0.3;     // share of firms in physical industry
  // Firms and persons employed by size class (agents/segments.hpp), each summing to 1.
  BySize firm_size_share{0.9433, 0.0475, 0.0076, 0.0016};
  BySize staff_share{0.286, 0.204, 0.15, 0.36};
  // Each size class's adoption at the start over the country's firms of 10+ staff (whose
  // share initial_share gives): 1 in every class where nothing says otherwise.
  BySize firm_start_factor{1, 1, 1, 1};
  // A firm of the size class employs this many times a small firm's staff.
  double staff_per_firm(int size) const {
    const double small = staff_share[small_size] / firm_size_share[small_size];
    return firm_size_share[size] > 0 && small > 0 ? staff_share[size] / firm_size_share[size] / small : 1.0;
  }
  double build_out() const { return datacenter_growth.value_or(electricity_growth); }
  // Ties to other countries (model/country_ties.hpp): each partner's id and how much this
  // country's developers collaborate with it (GitHub pushes and pull requests a year).
  std::vector<std::pair<std::string, double>> ties;
  // [kind][stack]: who uses what at the start, each row summing to 1.
  std::array<std::vector<double>, agent_kind_count> initial_share;
};

}  // namespace stackrace
