#include "worlds/scenario_loader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "agents/population.hpp"
#include "model/month.hpp"
#include "worlds/country_loader.hpp"
#include "worlds/policy_loader.hpp"
#include "worlds/posterior_link.hpp"
#include "worlds/detail/table_reader.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_extends.hpp"
#include "worlds/scenario_overrides.hpp"

namespace stackrace {
namespace {

using detail::Bounds;
using detail::TableReader;

constexpr std::int64_t most_agents = 1'000'000'000'000;  // a hard ceiling; memory is checked separately
constexpr int most_stacks = 64;
constexpr int most_steps = 12'000;  // a thousand years of months

// The rules of the keys that --steps, --seed and --agents replace: read_header and
// read_population read them, and check_replaced_values holds the file's values to them.
std::int64_t read_steps(TableReader& r) { return r.integer("steps", 1, most_steps, 120); }
std::int64_t read_seed(TableReader& r) { return r.integer("seed", 0, largest_seed, 1); }
std::int64_t read_developer_agents(TableReader& r) { return r.integer("developer_agents", 1, most_agents, std::nullopt); }
std::int64_t read_firm_agents(TableReader& r) { return r.integer("firm_agents", 0, most_agents, 0); }

// --steps, --seed and --agents replace keys of the file, but what the file says is input
// too: each value they replace must be valid as written (steps = 0 is refused at its
// line, whatever --steps says), before the option's value takes its place.
void check_replaced_values(toml::table& table, const ScenarioOverrides& o, detail::ScenarioSource& source) {
  auto check = [&](const char* name, const char* key, std::int64_t (*read)(TableReader&)) {
    toml::table* t = table.get_as<toml::table>(name);
    if (!t || !t->contains(key)) return;  // a missing table or key is the checker's to report
    TableReader r(*t, name, source, detail::Defaults::leave_out);
    read(r);
  };
  if (o.steps) check("scenario", "steps", read_steps);
  if (o.seed) check("scenario", "seed", read_seed);
  if (o.developer_agents) {
    check("population", "developer_agents", read_developer_agents);
    check("population", "firm_agents", read_firm_agents);
  }
}

void read_header(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("scenario", true), "scenario", file);
  s.name = r.output_name("name", std::filesystem::path(file.file).stem().string());
  s.description = r.text("description", std::string{});
  s.start = r.text("start", std::string("2026-01"));
  if (!is_month(s.start))
    r.fail_at(r.node("start"), "start", "'" + s.start + "' is not a month written YYYY-MM");
  s.steps = static_cast<int>(read_steps(r));
  s.seed = static_cast<std::uint64_t>(read_seed(r));
  r.done();
}

void read_population(TableReader& root, Scenario& s, const ScenarioOverrides& o, detail::ScenarioSource& file) {
  toml::table& table = root.table("population", true);
  TableReader r(table, "population", file);
  s.developer_agents = read_developer_agents(r);
  s.firm_agents = read_firm_agents(r);
  r.done();
  if (o.memory_limit_bytes) {
    double agents = static_cast<double>(s.developer_agents) + static_cast<double>(s.firm_agents);
    double need = agents * bytes_per_agent + fixed_run_bytes;
    if (need > *o.memory_limit_bytes) {
      std::ostringstream what;
      what.precision(3);
      what << agents << " agents need about " << need / 1e9 << " GB of memory, more than the "
           << *o.memory_limit_bytes / 1e9 << " GB this machine has available";
      // Blame the larger of the two populations: that is the number to lower.
      const char* key = s.firm_agents > s.developer_agents ? "firm_agents" : "developer_agents";
      r.fail_at(r.node(key), key, what.str());
    }
  }
}

// --agents N sets the developer agents and scales the firm agents by the same factor,
// as worlds/README.md promises. The file's own values, if they are not numbers, are
// left for the checker to report.
void scale_population(const toml::table& table, std::int64_t developers, const detail::ScenarioSource& source,
                      const std::function<void(const std::string&, const std::string&)>& apply) {
  const std::string origin = "--agents " + std::to_string(developers);
  auto old_developers = table.at_path("population.developer_agents").value<double>();
  const toml::node* firm_node = table.at_path("population.firm_agents").node();
  auto old_firms = firm_node ? firm_node->value<double>() : std::nullopt;
  apply("population.developer_agents=" + std::to_string(developers), origin);
  if (old_developers && old_firms && *old_developers >= 1 && std::isfinite(*old_firms) && *old_firms >= 0) {
    const double firms = *old_firms / *old_developers * static_cast<double>(developers);
    // The ratio is the file's: a count too large (rounded to an integer beyond 64 bits it
    // would wrap to a negative one) is refused at the file's key, with the option's part.
    if (firms > static_cast<double>(most_agents)) {
      std::ostringstream what;
      what << source.location(firm_node) << ": population.firm_agents: " << *old_firms << " firm agents to "
           << *old_developers << " developer agents, scaled by " << origin << ", make " << firms
           << " firm agents: more than " << most_agents << " (lower the ratio or --agents)";
      throw ScenarioError(what.str());
    }
    apply("population.firm_agents=" + std::to_string(std::llround(firms)), origin);
  }
}

void read_stacks(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  toml::array& stacks = root.array_of_tables("stacks", true);
  if (stacks.size() < 2 || stacks.size() > most_stacks)
    root.fail_at(&stacks, "stacks", "a scenario needs between 2 and " + std::to_string(most_stacks) + " stacks, found " +
                                        std::to_string(stacks.size()));
  std::set<std::string> seen;
  for (std::size_t k = 0; k < stacks.size(); ++k) {
    TableReader r(*stacks[k].as_table(), "stacks[" + std::to_string(k) + "]", file);
    StackSpec spec;
    spec.id = r.text("id", std::nullopt);
    if (!detail::is_identifier(spec.id, "_") || std::isdigit(static_cast<unsigned char>(spec.id[0])))
      r.fail_at(r.node("id"), "id", "'" + spec.id + "' is not a valid stack id (letters, digits, _)");
    if (!seen.insert(spec.id).second) r.fail_at(r.node("id"), "id", "stack '" + spec.id + "' is defined twice");
    spec.outside = r.boolean("outside", false);
    if (spec.outside && s.outside_stack())
      r.fail_at(r.node("outside"), "outside", "only one stack can be the outside option");
    spec.bloc = bloc_named(r.one_of("bloc", {"us", "cn", "other", "none"}, std::string(spec.outside ? "none" : "other")));
    spec.open_weights = r.boolean("open_weights", false);
    spec.momentum = r.boolean("momentum", spec.open_weights);
    spec.capability = r.number("capability", {-1e3, 1e3}, spec.outside ? std::optional<double>(0.0) : std::nullopt);
    spec.capability_growth = r.number("capability_growth", {-10, 10}, 0.0);
    spec.lag_months = r.number("lag_months", {0, 600}, 0.0);
    spec.price = r.number("price", {0, 1e6, true}, spec.outside ? std::optional<double>(1.0) : std::nullopt);
    spec.price_decline = r.number("price_decline", {0, 1, false}, 0.0);
    if (spec.price_decline >= 1) r.fail_at(r.node("price_decline"), "price_decline", "must be < 1");
    spec.reference_capability = r.number("reference_capability", {-1e3, 1e3}, spec.capability);
    spec.reference_price = r.number("reference_price", {0, 1e6, true}, spec.price);
    spec.appeal = r.number("appeal", {-100, 100}, 0.0);
    if (spec.outside && spec.appeal != 0)
      r.fail_at(r.node("appeal"), "appeal", "the outside option has no appeal: its utility is the reference, 0");
    r.done();
    s.stacks.push_back(spec);
  }
}

void read_choice(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader choice(root.table("choice", false), "choice", file);
  for (AgentKind kind : all_agent_kinds) {
    std::string name(agent_kind_name(kind));
    TableReader r(choice.table(name, false), "choice." + name, file);
    KindWeights w;
    const Bounds weight{-1e3, 1e3};
    w.base.revise = r.number("revise", {0, 1}, w.base.revise);
    w.base.capability = r.number("capability", weight, w.base.capability);
    w.base.log_price = r.number("log_price", weight, w.base.log_price);
    w.base.country_share = r.number("country_share", weight, w.base.country_share);
    w.base.switching_cost = r.number("switching_cost", weight, w.base.switching_cost);
    w.global_share = r.number("global_share", weight, 0.0);
    w.tie_share = r.number("tie_share", weight, 0.0);
    w.open_weights = r.number("open_weights", weight, 0.0);
    w.alignment = r.number("alignment", weight, 0.0);
    w.localisation = r.number("localisation", weight, 0.0);
    w.government = r.number("government", weight, 0.0);
    if (kind == AgentKind::developer) w.employer = r.number("employer", weight, 0.0);
    if (kind == AgentKind::firm) {
      w.self_hosting = r.number("self_hosting", weight, 0.0);
      w.robot_bundle = r.number("robot_bundle", weight, 0.0);
      w.large_firm_price_factor = r.number("large_firm_price_factor", {0, 100}, 1.0);
    }
    if (kind == AgentKind::country) w.rival_ban_rate = r.number("rival_ban_rate", {0, 100}, 0.0);
    w.calibrate = r.boolean("calibrate", false);
    w.calibrate_momentum = r.number("calibrate_momentum", {0, 1e3, true}, 1.0);
    r.done();
    s.choice[index_of(kind)] = w;
  }
  choice.done();
}

void read_adoption(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader adoption(root.table("adoption", false), "adoption", file);
  for (AgentKind kind : all_agent_kinds) {
    std::string name(agent_kind_name(kind));
    TableReader r(adoption.table(name, false), "adoption." + name, file);
    AdoptionRule a;
    a.innovation = r.number("innovation", {0, 1}, a.innovation);
    a.imitation = r.number("imitation", {0, 10}, a.imitation);
    a.income_elasticity = r.number("income_elasticity", {-10, 10}, a.income_elasticity);
    a.value_elasticity = r.number("value_elasticity", {-10, 10}, a.value_elasticity);
    a.abandon = r.number("abandon", {0, 1}, a.abandon);
    if (s.choice[index_of(kind)].base.revise + a.abandon > 1.0)
      r.fail_at(r.node("abandon"), "abandon",
                "with choice." + name + ".revise the monthly probabilities of acting exceed 1");
    a.reference_gdp_per_capita = r.number("reference_gdp_per_capita", {0, 1e7, true}, a.reference_gdp_per_capita);
    // Only firms come in sizes.
    if (kind == AgentKind::firm) a.size_elasticity = r.number("size_elasticity", {-5, 5}, a.size_elasticity);
    r.done();
    s.adoption[index_of(kind)] = a;
  }
  adoption.done();
}

void read_feedback(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("feedback", false), "feedback", file);
  s.feedback.network = r.boolean("network", true);
  s.feedback.deployment_data = r.boolean("deployment_data", true);
  s.feedback.capacity_limits = r.boolean("capacity_limits", true);
  s.feedback.compute_lag = r.boolean("compute_lag", true);
  s.feedback.energy_limits = r.boolean("energy_limits", true);
  s.feedback.lag_pricing = r.boolean("lag_pricing", false);
  s.feedback.talent_growth = r.boolean("talent_growth", true);
  s.feedback.capital = r.boolean("capital", true);
  s.feedback.physical_ai = r.boolean("physical_ai", true);
  r.done();
}

void read_prices(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("prices", false), "prices", file);
  s.prices.fixed_capability_decline = r.number("fixed_capability_decline", {0, 0.99}, s.prices.fixed_capability_decline);
  r.done();
}

// `counted`, the month a figure was counted in (YYYY-MM, the start if absent), in months
// from the start.
int read_counted_month(TableReader& r, const Scenario& s) {
  const std::string counted = r.text("counted", s.start);
  if (!is_month(counted)) r.fail_at(r.node("counted"), "counted", "'" + counted + "' is not a month written YYYY-MM");
  return months_between(s.start, counted);
}

// [talent]: how developer populations grow (model/talent.hpp).
void read_talent(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("talent", false), "talent", file);
  s.talent.growth_halving_years = r.number("growth_halving_years", {0, 1000}, s.talent.growth_halving_years);
  // When the developers were counted: their growth runs from there, forward or back.
  s.talent.counted_month = read_counted_month(r, s);
  r.done();
}

// [usage]: how much adopters use their stacks (agents/usage.hpp).
void read_usage(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("usage", false), "usage", file);
  UsageRule& u = s.usage;
  for (AgentKind kind : all_agent_kinds) {
    const std::string name(agent_kind_name(kind));
    TableReader k(r.table(name, false), "usage." + name, file);
    KindUsage& use = u.kind[index_of(kind)];
    use.tokens_per_month = k.number("tokens_per_month", {0, 1e18}, use.tokens_per_month);
    use.growth = k.number("growth", {-0.5, 1}, use.growth);
    k.done();
  }
  u.price_elasticity = r.number("price_elasticity", {0, 5}, u.price_elasticity);
  u.reference_price = r.number("reference_price", {0, 1e6, true}, u.reference_price);
  u.physical_intensity = r.number("physical_intensity", {0, 100}, u.physical_intensity);
  r.done();
}

// A bloc's home countries: a list of country ids; absent, the countries aligned with it
// (or none, where `aligned_by_default` is false).
std::vector<int> read_home(TableReader& r, const Scenario& s, Bloc bloc, bool aligned_by_default = true) {
  std::vector<int> home;
  const toml::node* node = r.node("home");
  r.known("home");
  if (!node) {
    for (int c = 0; c < s.country_count() && aligned_by_default; ++c)
      if (s.countries[c].alignment == bloc) home.push_back(c);
    return home;
  }
  const toml::array* list = node->as_array();
  if (!list) r.fail_at(node, "home", "expected a list of country ids");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string where = "home[" + std::to_string(i) + "]";
    auto id = item.value<std::string>();
    if (!item.is_string() || !id) r.fail_at(&item, where, "expected a country id");
    int found = -1;
    for (int c = 0; c < s.country_count(); ++c)
      if (s.countries[c].id == *id) found = c;
    if (found < 0) r.fail_at(&item, where, "unknown country '" + *id + "'");
    home.push_back(found);
  }
  return home;
}

void read_compute(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("compute", false), "compute", file);
  ComputeDynamics& c = s.compute;
  for (auto [name, bloc] : {std::pair{"us", &c.us}, std::pair{"cn", &c.cn}, std::pair{"other", &c.other}}) {
    TableReader b(r.table(name, false), std::string("compute.") + name, file);
    bloc->share = b.number("share", {0, 1}, 0.0);
    bloc->growth = b.number("growth", {-1, 10}, 0.0);
    bloc->power_gw = b.number("power_gw", {0, 1e6}, 0.0);
    bloc->power_growth_gw = b.number("power_growth_gw", {-1e3, 1e3}, 0.0);
    bloc->home = read_home(b, s, bloc_named(name));
    bloc->accelerators_h100e_per_year = b.number("accelerators_h100e_per_year", {0, 1e12}, 0.0);
    bloc->accelerator_growth = b.number("accelerator_growth", {-1, 10}, 0.0);
    bloc->export_share = b.number("export_share", {0, 1}, 0.0);
    bloc->investment_usd_per_year = b.number("investment_usd_per_year", {0, 1e15}, 0.0);
    bloc->investment_growth = b.number("investment_growth", {-0.99, 100}, 0.0);
    bloc->h100e_per_million_usd = b.number("h100e_per_million_usd", {0, 1e9}, 0.0);
    b.done();
  }
  c.catch_up = r.number("catch_up", {0, 10}, c.catch_up);
  c.compute_elasticity = r.number("compute_elasticity", {0, 10}, c.compute_elasticity);
  c.deployment_alpha = r.number("deployment_alpha", {0, 100}, c.deployment_alpha);
  c.capacity_penalty = r.number("capacity_penalty", {0, 1e3}, c.capacity_penalty);
  c.joules_per_token = r.number("joules_per_token", {0, 1e6}, c.joules_per_token);
  c.ai_power_share = r.number("ai_power_share", {0, 1, true}, c.ai_power_share);
  c.grid_share_limit = r.number("grid_share_limit", {0, 1}, c.grid_share_limit);
  c.efficiency_growth = r.number("efficiency_growth", {0, 1}, c.efficiency_growth);
  c.power_headroom = r.number("power_headroom", {0, 1e3, true}, c.power_headroom);
  c.depreciation = r.number("depreciation", {0, 1}, c.depreciation);
  c.price_performance_growth = r.number("price_performance_growth", {-0.5, 1}, c.price_performance_growth);
  c.investment_growth_halving_years = r.number("investment_growth_halving_years", {0, 1000}, c.investment_growth_halving_years);
  c.world_h100e = r.number("world_h100e", {0, 1e15, true}, c.world_h100e);
  c.h100e_per_mw = r.number("h100e_per_mw", {0, 1e6}, c.h100e_per_mw);
  c.yearly_additions = r.number("yearly_additions", {0, 100}, c.yearly_additions);
  c.self_hosting_premium = r.number("self_hosting_premium", {0, 100}, c.self_hosting_premium);
  c.foreign_chip_premium = r.number("foreign_chip_premium", {0, 100}, c.foreign_chip_premium);
  c.chinese_cloud_discount = r.number("chinese_cloud_discount", {0, 0.99}, c.chinese_cloud_discount);
  r.done();
}

// [robots]: the robots physical firms run, by maker (model/robots.hpp).
void read_robots(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("robots", false), "robots", file);
  RobotMarket& m = s.robots;
  for (auto [name, makers] : {std::pair{"us", &m.us}, std::pair{"cn", &m.cn}, std::pair{"other", &m.other}}) {
    TableReader b(r.table(name, false), std::string("robots.") + name, file);
    if (makers != &m.other) {  // the other bloc's makers hold what the us and cn blocs' do not
      makers->home = read_home(b, s, bloc_named(name), false);
      makers->home_share = b.number("home_share", {0, 1}, makers->home_share);
      makers->abroad_share = b.number("abroad_share", {0, 1}, makers->abroad_share);
    }
    makers->odds_growth = b.number("odds_growth", {-10, 10}, makers->odds_growth);
    if (b.has("ships")) makers->ships = bloc_named(b.one_of("ships", {"us", "cn", "other"}, std::nullopt));
    b.done();
  }
  // In no country may the us and cn makers together hold more than all of its new robots.
  for (int c = 0; c < s.country_count(); ++c) {
    const double both = m.us.counted_share(c) + m.cn.counted_share(c);
    if (both > 1.0 + 1e-12)
      r.fail_at(r.node("cn"), "cn",
                "in " + s.countries[c].id + " the us and cn makers' shares of new robots add up to " +
                    std::to_string(both) + ", more than 1 (the other bloc's makers hold the rest)");
  }
  m.reference_density = r.number("reference_density", {0, 1e5, true}, m.reference_density);
  m.unlisted_density = r.number("unlisted_density", {0, 1e5}, m.unlisted_density);
  m.stock_growth = r.number("stock_growth", {-0.5, 10}, m.stock_growth);
  m.installation_rate = r.number("installation_rate", {0, 12}, m.installation_rate);
  // The installations replace what retires and add the stock's growth: a month's
  // retirements, installation_rate / 12 − g, lie in [0, 1].
  const double growth = std::pow(1.0 + m.stock_growth, 1.0 / 12.0) - 1.0, retired = m.installation_rate / 12.0 - growth;
  if (retired < -1e-12 || retired > 1.0)
    r.fail_at(r.node("installation_rate"), "installation_rate",
              "robots.installation_rate must be at least robots.stock_growth (the installations replace what retires and "
              "add the growth)");
  m.tariff_elasticity = r.number("tariff_elasticity", {0, 100}, m.tariff_elasticity);
  // When the makers' shares were counted: the odds move from there, forward or back.
  m.counted_month = read_counted_month(r, s);
  r.done();
}

std::string serialise(const toml::table& table) {
  std::ostringstream out;
  out << toml::toml_formatter(table, toml::toml_formatter::default_flags & ~toml::format_flags::indentation);
  return out.str();
}

// Records, for every node of `copy`, where its twin in `original` was written: a copied
// node has no position of its own, and relative paths (a country table named by a file
// this one extends) resolve against the file that wrote them.
void remember_origins(const toml::node& original, const toml::node& copy, const detail::ScenarioSource& from,
                      detail::ScenarioSource& to) {
  to.origins[&copy] = {from.location(&original), from.file_of(&original)};
  if (const toml::table* a = original.as_table()) {
    const toml::table& b = *copy.as_table();
    for (auto&& [key, value] : *a) remember_origins(value, *b.get(key.str()), from, to);
  } else if (const toml::array* a = original.as_array()) {
    const toml::array& b = *copy.as_array();
    for (std::size_t i = 0; i < a->size(); ++i) remember_origins(*a->get(i), *b.get(i), from, to);
  }
}

Scenario read_table(toml::table table, detail::ScenarioSource& source, const ScenarioOverrides& overrides,
                    std::string* resolved);

// Whether `assignment` (KEY=VALUE) replaces a value the file writes, rather than adding one.
bool replaces_written_value(const toml::table& table, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  return eq != std::string::npos && detail::find_key(table, assignment.substr(0, eq)) != nullptr;
}

// A value --set replaces is input too, as one --steps replaces is (check_replaced_values):
// where --set replaces a value the file writes, the file is first read as written (with
// only the keys --set adds), so that a bad value there is refused at its own position
// rather than hidden by the command line.
void check_file_as_written(const toml::table& table, const ScenarioOverrides& o, const detail::ScenarioSource& source) {
  if (o.file_checked) return;
  ScenarioOverrides as_written;
  as_written.file_checked = true;
  for (const std::string& assignment : o.set)
    if (!replaces_written_value(table, assignment)) as_written.set.push_back(assignment);
  if (as_written.set.size() == o.set.size()) return;  // nothing written is replaced
  toml::table copy = table;
  detail::ScenarioSource copy_source{source.file, {}, {}};
  remember_origins(table, copy, source, copy_source);
  read_table(std::move(copy), copy_source, as_written, nullptr);
}

// Overrides and checks a scenario's merged table; its resolved text goes to `resolved`
// unless that is null.
Scenario read_table(toml::table table, detail::ScenarioSource& source, const ScenarioOverrides& overrides,
                    std::string* resolved) {
  check_replaced_values(table, overrides, source);
  check_file_as_written(table, overrides, source);
  auto apply = [&](const std::string& assignment, const std::string& origin) {
    detail::apply_override(table, assignment, origin, source);
  };
  for (const std::string& assignment : overrides.set) apply(assignment, "--set " + assignment);
  if (overrides.steps) apply("scenario.steps=" + std::to_string(*overrides.steps), "--steps " + std::to_string(*overrides.steps));
  if (overrides.developer_agents) scale_population(table, *overrides.developer_agents, source, apply);
  if (overrides.seed) apply("scenario.seed=" + std::to_string(*overrides.seed), "--seed " + std::to_string(*overrides.seed));

  Scenario s;
  TableReader root(table, "", source);
  read_header(root, s, source);
  read_population(root, s, overrides, source);
  read_stacks(root, s, source);
  read_choice(root, s, source);
  read_adoption(root, s, source);
  read_feedback(root, s, source);
  read_prices(root, s, source);
  read_usage(root, s, source);
  read_talent(root, s, source);
  read_countries(root, s, source);
  read_compute(root, s, source);  // after the countries: blocs name their home countries
  read_robots(root, s, source);   // as do the robots' makers
  read_availability(root, s, source);
  read_events(root, s, source);
  read_policies(root, s, source);
  detail::read_posterior_link(root, s, source);  // last: its keys are checked against the resolved scenario
  root.done();
  if (resolved) {
    write_resolved_countries(table, s);
    *resolved = serialise(table);
  }
  return s;
}

Scenario read(const std::string& path, const ScenarioOverrides& overrides, std::string* resolved) {
  detail::ScenarioSource source{path, {}, {}};
  return read_table(detail::read_scenario_file(path, source), source, overrides, resolved);
}

}  // namespace

Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides) {
  return read(path, overrides, nullptr);
}

ScenarioDocument read_scenario(const std::string& path, const ScenarioOverrides& overrides) {
  ScenarioDocument document{{}, path, {}};
  document.scenario = read(path, overrides, &document.resolved_toml);
  return document;
}

struct ScenarioText {
  toml::table table;
  detail::ScenarioSource source;
};

std::shared_ptr<const ScenarioText> read_scenario_text(const std::string& path) {
  auto text = std::make_shared<ScenarioText>();
  text->source = detail::ScenarioSource{path, {}, {}};
  text->table = detail::read_scenario_file(path, text->source);
  return text;
}

Scenario load_scenario(const ScenarioText& text, const ScenarioOverrides& overrides) {
  // A copy: each load overrides its own.
  toml::table table = text.table;
  detail::ScenarioSource source{text.source.file, {}, {}};
  remember_origins(text.table, table, text.source, source);
  return read_table(std::move(table), source, overrides, nullptr);
}

}  // namespace stackrace
