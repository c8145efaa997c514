#pragma once
// The utility an agent gives an AI stack (MODEL.md, "Choice"). It is a plain function
// of the agent's situation and what it sees of the stack this month; the engine turns
// utilities into logit choice probabilities (stack_choice.hpp).
#include <cmath>

#include "agents/attributes.hpp"

namespace stackrace {

// What an agent knows about itself and its country.
struct AgentSituation {
  const CountrySpec* country;
  bool physical_industry = false;  // firms: sector
  bool large = false;              // firms: size
  int employer_stack = -1;         // developers: the employer's stack (-1: none)
  int government_stack = -1;       // the stack the country's government uses (-1: none)
};

// What the agent sees of one stack this month.
struct StackSight {
  int index;
  const StackSpec* spec;
  double capability;
  double log_price;       // ln of the price in the agent's country, USD per million tokens
  double country_share;   // last month's share of the country's developers on it
  double global_share;    // last month's share of the world's developers on it
  double tie_share;       // last month's share of the developers of the country's tie partners on it
  double capacity_penalty;  // self-hosting demand beyond the country's data-centre power
  double calibration;     // constant fitted so that the start matches observed shares
  double bonus = 0;       // policies: subsidised set-up, infrastructure bundles
  bool open_usable = true;  // policies may forbid using open weights as such
  int localisation = 0;   // the data-localisation level in force in the agent's country
  double robot_pull = 0;  // physical firms: embodiment times the share of the country's robots shipping it
};

// +1 when the stack's bloc is the country's camp, -1 when it is the rival camp, else 0.
inline double bloc_affinity(Bloc alignment, Bloc stack_bloc) {
  if (alignment == Bloc::none || (stack_bloc != Bloc::us && stack_bloc != Bloc::cn)) return 0.0;
  return alignment == stack_bloc ? 1.0 : -1.0;
}

// Utility of stack `s` before the switching cost and the employer's pull: everything
// that is the same for all developers of a country (or firms of a segment).
inline double situation_utility(const KindWeights& w, const AgentSituation& a, const StackSight& s) {
  const double price_weight = w.base.log_price * (a.large ? w.large_firm_price_factor : 1.0);
  const bool open = s.spec->open_weights && s.open_usable;
  const bool foreign_closed = !open && a.country->alignment != s.spec->bloc;
  double u = w.base.capability * s.capability - price_weight * s.log_price +
             w.base.country_share * s.country_share + w.global_share * s.global_share + w.tie_share * s.tie_share + s.calibration;
  u += w.open_weights * (open ? 1.0 : 0.0);
  u += w.alignment * bloc_affinity(a.country->alignment, s.spec->bloc);
  u -= w.localisation * (foreign_closed ? s.localisation : 0);
  u += w.government * (s.index == a.government_stack ? 1.0 : 0.0);
  u += w.self_hosting * (open && a.physical_industry ? 1.0 : 0.0);
  // A robot runs the open models its maker ships, on board (model/robots.hpp).
  u += w.robot_bundle * (open && a.physical_industry ? s.robot_pull : 0.0);
  u -= open ? s.capacity_penalty : 0.0;
  return u + s.bonus;
}

// A developer's pull towards the stack its employer uses (-1: no employer).
inline double employer_pull(const KindWeights& w, int stack, int employer_stack) {
  return w.employer * (stack == employer_stack ? 1.0 : 0.0);
}

// Utility of stack `s` before the switching cost, which depends on the agent's current stack.
inline double stack_utility(const KindWeights& w, const AgentSituation& a, const StackSight& s) {
  return situation_utility(w, a, s) + employer_pull(w, s.index, a.employer_stack);
}

}  // namespace stackrace
