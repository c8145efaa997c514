#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "model/month.hpp"
#include "worlds/agent_allocation.hpp"
#include "worlds/calibration_spec.hpp"
#include "worlds/detail/input_file.hpp"
#include "worlds/detail/parameter_reader.hpp"
#include "worlds/detail/table_reader.hpp"
#include "worlds/policy_loader.hpp"
#include "worlds/record_groups.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_extends.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/scenario_overrides.hpp"

namespace stackrace {
namespace {

using detail::TableReader;

std::set<std::string> id_list(TableReader& r, std::string_view key) {
  std::set<std::string> ids;
  if (!r.has(key)) return ids;
  r.known(key);
  const toml::array* list = r.node(key)->as_array();
  if (!list) r.fail_at(r.node(key), key, "expected a list of names");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto id = list->get(i)->value<std::string>();
    if (!id || !list->get(i)->is_string())
      r.fail_at(list->get(i), std::string(key) + "[" + std::to_string(i) + "]", "expected a name (text)");
    ids.insert(*id);
  }
  return ids;
}

// Why the scenario has no output for the target, or "" where it has one.
std::string no_output(const RecordTarget& t, const Scenario& s) {
  if (t.quantity == "token_share") return "the model has no usage (tokens) yet";
  if (!t.firm_size.empty() && t.kind != "firm") return "a firm size class names firms";
  if (t.kind == "population" && t.quantity == "adoption")
    return "the model has no population of people, only governments, firms and developers";
  if ((t.quantity == "stack_share_of_users" || t.quantity == "adoption") && !s.outside_stack() &&
      t.quantity == "adoption")
    return "the scenario has no outside option: everyone uses AI";
  if (!t.stack.empty() && stacks_of(s, t.stack).empty()) return "the scenario has no stack '" + t.stack + "'";
  if ((t.quantity == "price" || t.quantity == "capability_gap_months") && t.stack.empty())
    return "a price or a capability gap names its stack";
  if (t.quantity == "adoption" || t.quantity == "stack_share_of_users") {
    if (t.kind.empty()) return "an adoption or stack share needs a kind";
    if (countries_of(s, t.country).empty()) return "the scenario has no country '" + t.country + "'";
  }
  return "";
}

// Agents of each kind per country at the calibration's agent count, as the engine seats them.
std::array<std::vector<std::int64_t>, agent_kind_count> agents_of(const Scenario& s) {
  std::vector<double> developers, firms;
  for (const CountrySpec& c : s.countries) developers.push_back(c.developers), firms.push_back(c.firms);
  std::array<std::vector<std::int64_t>, agent_kind_count> agents;
  agents[index_of(AgentKind::developer)] = allocate_agents(s.developer_agents, developers);
  agents[index_of(AgentKind::firm)] = s.firm_agents > 0 ? allocate_agents(s.firm_agents, firms)
                                                        : std::vector<std::int64_t>(s.countries.size(), 0);
  agents[index_of(AgentKind::country)] = std::vector<std::int64_t>(s.countries.size(), 1);
  return agents;
}

// The sampling noise of a share the target is compared with: binomial, over the agents
// of its kind in its countries (none for prices and gaps).
double sampling_sd(const RecordTarget& t, const Scenario& s,
                   const std::array<std::vector<std::int64_t>, agent_kind_count>& agents) {
  if (t.quantity != "adoption" && t.quantity != "stack_share_of_users") return 0.0;
  const AgentKind kind = t.kind == "country" ? AgentKind::country : t.kind == "firm" ? AgentKind::firm
                                                                                       : AgentKind::developer;
  double n = 0;
  for (int c : countries_of(s, t.country)) n += double(agents[index_of(kind)][c]);
  // A share of users counts only the users: half the agents, say (most targets are of
  // places and years where most of the kind uses AI).
  if (t.quantity == "stack_share_of_users") n *= 0.5;
  const double v = std::clamp(t.value, 0.01, 0.99);
  return n > 0 ? std::sqrt(v * (1 - v) / n) : std::numeric_limits<double>::infinity();
}

void choose_targets(CalibrationSpec& spec, TableReader& c, const Scenario& s, const std::string& fit_until,
                    const std::set<std::string>& only, const std::set<std::string>& exclude,
                    const std::set<std::string>& quantities) {
  const auto agents = agents_of(s);
  std::set<std::string> known;
  for (const RecordTarget& t : load_record(spec.record)) {
    known.insert(t.id);
    if ((!only.empty() && !only.count(t.id)) || exclude.count(t.id)) continue;
    if (only.empty() && !quantities.empty() && !quantities.count(t.quantity)) continue;
    const int month = months_between(s.start, t.date);
    const bool covered = month >= 0 && month <= s.steps && no_output(t, s).empty();
    if (!covered) {
      if (only.count(t.id))
        c.fail_at(c.node("targets"), "targets",
                  "target '" + t.id + "' (" + spec.record + ":" + std::to_string(t.line) + ") cannot be used: " +
                      (no_output(t, s).empty() ? t.date + " is outside the scenario's months" : no_output(t, s)));
      continue;
    }
    CalibrationTarget target{t, month, fit_until.empty() || t.date <= fit_until, 0};
    const double z = boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + spec.interval_coverage / 2);
    target.sd = std::max((t.high - t.low) / (2 * z), spec.min_relative_sd * std::fabs(t.value));
    if (t.quantity == "adoption" || t.quantity == "stack_share_of_users" || t.quantity == "token_share")
      target.sd = std::max(target.sd, spec.min_sd);
    if (!(target.sd > 0))
      c.fail_at(c.node("min_relative_sd"), "min_relative_sd",
                "target '" + t.id + "' has no width and a value of 0: give it an interval in the record");
    // A share over too few agents is noise, not evidence: left out unless the agents'
    // sampling noise is within max_noise of the target's own uncertainty.
    if (const double noise = sampling_sd(t, s, agents); noise > spec.max_noise * target.sd) {
      std::ostringstream why;
      why.precision(2);
      why << "too few agents: sampling noise " << noise << " > " << spec.max_noise << " x its sd " << target.sd
          << " (raise [calibration] agents)";
      if (only.count(t.id)) c.fail_at(c.node("targets"), "targets", "target '" + t.id + "' cannot be used: " + why.str());
      spec.skipped.push_back({t.id, why.str()});
      continue;
    }
    spec.targets.push_back(std::move(target));
  }
  for (const std::set<std::string>* list : {&only, &exclude})
    for (const std::string& id : *list)
      if (!known.count(id))
        c.fail_at(c.node(list == &only ? "targets" : "exclude"), list == &only ? "targets" : "exclude",
                  "no target '" + id + "' in " + spec.record);
  if (std::none_of(spec.targets.begin(), spec.targets.end(), [](const CalibrationTarget& t) { return t.fitted; }))
    c.fail_at(c.node("calibration"), "calibration", "no target of " + spec.record + " can be fitted in " +
                                                        s.start + " + " + std::to_string(s.steps) + " months");
}

std::string targets_text(const CalibrationSpec& spec) {
  std::ostringstream text;
  text.precision(17);
  text << "id,month,fitted,value,low,high,sd\n";
  for (const CalibrationTarget& t : spec.targets)
    text << t.observed.id << ',' << t.month << ',' << t.fitted << ',' << t.observed.value << ',' << t.observed.low
         << ',' << t.observed.high << ',' << t.sd << '\n';
  return text.str();
}

}  // namespace

CalibrationSpec load_calibration(const std::string& path, const CalibrationOverrides& overrides) {
  detail::ScenarioSource source{path, {}, {}};
  toml::table table = detail::read_scenario_file(path, source);
  if (overrides.particles)
    detail::apply_override(table, "calibration.particles=" + std::to_string(*overrides.particles),
                           "--particles " + std::to_string(*overrides.particles), source);
  if (overrides.simulations)
    detail::apply_override(table, "calibration.simulations=" + std::to_string(*overrides.simulations),
                           "--simulations " + std::to_string(*overrides.simulations), source);
  TableReader root(table, "", source);
  CalibrationSpec spec;
  spec.path = path;
  TableReader c(root.table("calibration", true), "calibration", source);
  spec.scenario = detail::file_named(c, "scenario", source, "the scenario");
  spec.record = detail::file_named(c, "record", source, "the record");
  spec.name = c.output_name("name", std::filesystem::path(path).stem().string());
  if (c.has("agents")) spec.agents = c.integer("agents", 1, 1'000'000'000'000, std::nullopt);
  spec.particles = static_cast<int>(c.integer("particles", 10, 1'000'000, spec.particles));
  spec.simulations = c.integer("simulations", spec.particles, 1'000'000'000, spec.simulations);
  spec.seed = static_cast<std::uint64_t>(c.integer("seed", 0, largest_seed, 1));
  spec.interval_coverage = c.number("interval_coverage", {0, 1, true}, spec.interval_coverage);
  if (spec.interval_coverage >= 1) c.fail_at(c.node("interval_coverage"), "interval_coverage", "must be below 1");
  spec.min_relative_sd = c.number("min_relative_sd", {0, 10}, spec.min_relative_sd);
  spec.min_sd = c.number("min_sd", {0, 1}, spec.min_sd);
  spec.ess_fraction = c.number("ess_fraction", {0.05, 0.95}, spec.ess_fraction);
  spec.max_moves = static_cast<int>(c.integer("max_moves", 1, 1000, spec.max_moves));
  spec.max_noise = c.number("max_noise", {0, 1e6, true}, spec.max_noise);
  std::string fit_until;
  if (c.has("fit_until")) {
    fit_until = c.text("fit_until", std::nullopt);
    if (!is_month(fit_until)) c.fail_at(c.node("fit_until"), "fit_until", "'" + fit_until + "' is not a month YYYY-MM");
  }
  const std::set<std::string> only = id_list(c, "targets"), exclude = id_list(c, "exclude");
  const std::set<std::string> quantities = id_list(c, "quantities");
  for (const std::string& q : quantities)
    if (std::find(std::begin(record_quantities), std::end(record_quantities), q) == std::end(record_quantities))
      c.fail_at(c.node("quantities"), "quantities", "'" + q + "' is not a quantity of the record");

  ScenarioOverrides base;
  base.developer_agents = spec.agents;
  Scenario scenario;
  try {
    scenario = load_scenario(spec.scenario, base);
  } catch (const ScenarioError& e) {
    c.fail_at(c.node("scenario"), "scenario", std::string("the scenario is refused: ") + e.what());
  }
  choose_targets(spec, c, scenario, fit_until, only, exclude, quantities);
  c.done();

  toml::array& parameters = root.array_of_tables("parameters", true);
  if (parameters.empty()) root.fail_at(&parameters, "parameters", "a calibration needs at least one parameter");
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string where = "parameters[" + std::to_string(i) + "]";
    TableReader r(*parameters[i].as_table(), where, source);
    if (r.has("values")) r.fail_at(r.node("values"), "values", "a prior is a `range` (uniform or loguniform) or a normal `mean` and `sd`");
    SweepParameter p = detail::read_parameter(r, DesignKind::random);
    if (p.key == "population.developer_agents" || p.key == "population.firm_agents")
      r.fail_at(r.node("key"), "key", "the agent count is not a model parameter: set [calibration] agents");
    for (const SweepParameter& q : spec.parameters) {
      if (q.name == p.name) r.fail_at(r.node("name"), "name", "two parameters are named '" + p.name + "'");
      if (q.key == p.key) r.fail_at(r.node("key"), "key", "'" + p.key + "' is fitted twice");
    }
    r.done();
    detail::check_extremes(spec.scenario, spec.agents, std::nullopt, p, source, parameters[i].as_table()->get("key"),
                           where + ".key");
    spec.parameters.push_back(std::move(p));
  }
  root.done();
  std::ostringstream text;
  text << toml::toml_formatter(table);
  spec.resolved_toml = text.str();
  spec.record_text = targets_text(spec);
  return spec;
}

}  // namespace stackrace
