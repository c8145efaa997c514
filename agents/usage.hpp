#pragma once
// How much an adopter uses the stack it is on (MODEL.md, 7.8b): tokens a month. Usage
// weighs who carries the world's AI work, as published usage shares (tokens by model
// origin) do, beside the count of who adopted; choices feel it only through the power
// the tokens run on open weights need (model/capacity.hpp).
//
// An adopting entity of kind n in segment s of country c, on AI stack k in month t, uses
//
//   tokens = T_n · v_n(c, s) · (1 + a_n)^t · (price_{c,k}(t) / p_ref)^(−η)
//
// T_n a month at the reference price at the start; a_n the growth of use at a constant
// price (agentic use: more work per user); η the price elasticity of use (cheaper tokens
// are used for more, and high-volume work is routed to cheap models); v_n the firm
// segment's factor: a firm's use grows with its staff (a firm of a size class employs its
// class's share of the country's staff over its share of the firms, times the average
// firm's staff) and physical-sector staff use tokens at ψ times the rate of
// virtual-sector staff. The outside option uses none.
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

#include "agents/agent_kind.hpp"
#include "agents/attributes.hpp"
#include "agents/segments.hpp"

namespace stackrace {

struct KindUsage {
  double tokens_per_month = 1;  // T_n: one adopting entity's tokens a month, at p_ref, at the start
  double growth = 0;            // a_n: growth of that use at a constant price, per month
};

struct UsageRule {
  std::array<KindUsage, agent_kind_count> kind;  // by AgentKind
  double price_elasticity = 0;                   // η
  double reference_price = 1;                    // p_ref, USD per million tokens
  double physical_intensity = 1;  // ψ: tokens per physical-sector employee over a virtual-sector one's
  const KindUsage& of(AgentKind kind) const { return this->kind[index_of(kind)]; }
};

// v_firm(c, s): a firm of the segment against the country's average virtual-sector firm:
// its staff over the average firm's (`staff_per_firm`: its size class's share of the
// country's staff over its share of the firms, model/world.hpp), so that the factors,
// weighted by firms, average 1; physical-sector staff at ψ.
inline double firm_segment_usage(const UsageRule& rule, double staff_per_firm, int segment) {
  return staff_per_firm * (segment_is_physical(segment) ? rule.physical_intensity : 1.0);
}

// T_n (1 + a_n)^t: one adopting entity's tokens in month t at the reference price.
inline double use_at_reference_price(const UsageRule& rule, AgentKind kind, int t) {
  const KindUsage& use = rule.of(kind);
  return use.tokens_per_month * std::pow(1 + use.growth, t);
}

// (p / p_ref)^(−η): how much more (or less) is used at `price`.
inline double price_factor(const UsageRule& rule, double price) {
  return rule.price_elasticity == 0 ? 1.0 : std::pow(price / rule.reference_price, -rule.price_elasticity);
}

// One adopting entity's tokens a month on a stack priced `price` in its country, before
// its segment's factor.
inline double tokens_per_adopter(const UsageRule& rule, AgentKind kind, double price, int t) {
  return use_at_reference_price(rule, kind, t) * price_factor(rule, price);
}

}  // namespace stackrace
