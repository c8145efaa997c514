#pragma once
// The policies of a scenario and how they compose. Within a month they apply in a fixed
// order, whatever their order in the file: export controls, open-weight restrictions,
// stack bans, tariffs, subsidies, infrastructure bundles, data-localisation rules, robot
// tariffs (the order of the alternatives below; robot tariffs act on the world's robot
// path, model/robots.hpp, and edit nothing in a month). Prices compose by multiplication, so tariffs
// and subsidies commute; a ban wins over everything that makes a stack attractive.
#include <array>
#include <functional>
#include <span>
#include <variant>
#include <vector>

#include "policies/data_localisation.hpp"
#include "policies/export_control.hpp"
#include "policies/infrastructure_bundle.hpp"
#include "policies/open_weight_restriction.hpp"
#include "policies/robot_tariff.hpp"
#include "policies/stack_ban.hpp"
#include "policies/subsidy.hpp"
#include "policies/tariff.hpp"

namespace stackrace {

using Policy = std::variant<ExportControl, OpenWeightRestriction, StackBan, Tariff, Subsidy, InfrastructureBundle,
                            DataLocalisation, RobotTariff>;

inline const PolicyWindow& window_of(const Policy& p) {
  return std::visit([](const auto& x) -> const PolicyWindow& { return x.window; }, p);
}

// Per-run state of the policies: for each policy, the month each country accepted it
// (infrastructure bundles only; -1 where not accepted).
struct PolicyState {
  std::vector<std::vector<int>> accepted_at;  // [policy][country]
};

// Each bloc's home countries, [Bloc] (model/scenario.hpp, compute.<bloc>.home).
using BlocHomes = std::array<std::span<const int>, 4>;

// The policies' effects on the stacks' dynamics in month ctx.month. `unmet` [c]: the
// share of each country's demand for new accelerators nobody meets this month
// (model/compute_market.hpp); an export control holds back its restricted bloc by what
// goes unmet in that bloc's `homes`.
inline StackDrivers drive_stacks(const std::vector<Policy>& policies, const PolicyContext& ctx,
                                 std::span<const double> unmet, const BlocHomes& homes) {
  StackDrivers drivers(static_cast<int>(ctx.stacks.size()));
  for (const Policy& p : policies) {
    if (!window_of(p).covers(ctx.month)) continue;
    if (auto* e = std::get_if<ExportControl>(&p)) e->drive(unmet, homes[bloc_index(e->restricted_bloc)], drivers);
    if (auto* o = std::get_if<OpenWeightRestriction>(&p)) o->drive(ctx, drivers);
  }
  return drivers;
}

// Governments decide on the infrastructure bundles offered in month ctx.month, each with
// its own draws: `draw(i, c)` for policy i and country c.
inline void decide_bundles(const std::vector<Policy>& policies, const PolicyContext& ctx,
                           const std::vector<int>& government_stack,
                           const std::function<double(std::size_t policy, int country)>& draw, PolicyState& state) {
  for (std::size_t i = 0; i < policies.size(); ++i)
    if (auto* b = std::get_if<InfrastructureBundle>(&policies[i]))
      b->decide(ctx, government_stack, [&](int c) { return draw(i, c); }, state.accepted_at[i]);
}

// The policies' edits to what agents see in month ctx.month.
inline void edit_environment(const std::vector<Policy>& policies, const PolicyState& state, const PolicyContext& ctx,
                             StackEnvironment& env) {
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const Policy& p = policies[i];
    if (!window_of(p).covers(ctx.month)) continue;
    // Export controls edit nothing directly: they act through the compute market.
    if (auto* b = std::get_if<InfrastructureBundle>(&p)) b->edit(ctx, state.accepted_at[i], env);
    else std::visit([&](const auto& x) {
      using P = std::decay_t<decltype(x)>;
      if constexpr (!std::is_same_v<P, InfrastructureBundle> && !std::is_same_v<P, ExportControl>) x.edit(ctx, env);
    }, p);
  }
}

}  // namespace stackrace
