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
#include "worlds/detail/table_reader.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_overrides.hpp"

namespace stackrace {
namespace {

using detail::Bounds;
using detail::TableReader;

constexpr std::int64_t most_agents = 1'000'000'000'000;  // a hard ceiling; memory is checked separately
constexpr int most_stacks = 64;
constexpr int most_steps = 12'000;  // a thousand years of months

// Letters, digits and the given extra characters, starting with a letter or digit.
bool is_identifier(const std::string& text, std::string_view extra) {
  if (text.empty() || !std::isalnum(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.end(), [&](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || extra.find(ch) != std::string_view::npos;
  });
}

bool is_month(const std::string& text) {
  if (text.size() != 7 || text[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  int month = std::stoi(text.substr(5, 2));
  return month >= 1 && month <= 12;
}

toml::table parse(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(path + ":1:1: cannot open the scenario file");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << path << ':' << e.source().begin.line << ':' << e.source().begin.column << ": syntax error: " << e.description();
    throw ScenarioError(out.str());
  }
}

void read_header(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader r(root.table("scenario", true), "scenario", file);
  s.name = r.text("name", std::filesystem::path(file.file).stem().string());
  if (s.name.empty() || s.name.find_first_of("/\\") != std::string::npos)
    r.fail_at(r.node("name"), "name", "must be a non-empty name without slashes (it names the output file)");
  s.description = r.text("description", std::string{});
  s.start = r.text("start", std::string("2026-01"));
  if (!is_month(s.start))
    r.fail_at(r.node("start"), "start", "'" + s.start + "' is not a month written YYYY-MM");
  s.steps = static_cast<int>(r.integer("steps", 1, most_steps, 120));
  s.seed = static_cast<std::uint64_t>(r.integer("seed", 0, INT64_MAX, 1));
  r.done();
}

void read_population(TableReader& root, Scenario& s, const ScenarioOverrides& o, detail::ScenarioSource& file) {
  toml::table& table = root.table("population", true);
  TableReader r(table, "population", file);
  s.developer_agents = r.integer("developer_agents", 1, most_agents, std::nullopt);
  s.firm_agents = r.integer("firm_agents", 0, most_agents, 0);
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
void scale_population(const toml::table& table, std::int64_t developers,
                      const std::function<void(const std::string&, const std::string&)>& apply) {
  const std::string origin = "--agents " + std::to_string(developers);
  auto old_developers = table.at_path("population.developer_agents").value<double>();
  auto old_firms = table.at_path("population.firm_agents").value<double>();
  apply("population.developer_agents=" + std::to_string(developers), origin);
  if (old_developers && old_firms && *old_developers >= 1 && std::isfinite(*old_firms) && *old_firms >= 0) {
    auto firms = std::llround(*old_firms / *old_developers * static_cast<double>(developers));
    apply("population.firm_agents=" + std::to_string(firms), origin);
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
    if (!is_identifier(spec.id, "_") || std::isdigit(static_cast<unsigned char>(spec.id[0])))
      r.fail_at(stacks[k].as_table()->get("id"), "id", "'" + spec.id + "' is not a valid stack id (letters, digits, _)");
    if (!seen.insert(spec.id).second) r.fail_at(stacks[k].as_table()->get("id"), "id", "stack '" + spec.id + "' is defined twice");
    spec.capability = r.number("capability", {-1e3, 1e3}, std::nullopt);
    spec.capability_growth = r.number("capability_growth", {-10, 10}, 0.0);
    spec.price = r.number("price", {0, 1e6, true}, std::nullopt);
    spec.price_decline = r.number("price_decline", {0, 1, false}, 0.0);
    if (spec.price_decline >= 1) r.fail_at(stacks[k].as_table()->get("price_decline"), "price_decline", "must be < 1");
    r.done();
    s.stacks.push_back(spec);
  }
}

void read_choice(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader choice(root.table("choice", false), "choice", file);
  for (AgentKind kind : all_agent_kinds) {
    std::string name(agent_kind_name(kind));
    TableReader r(choice.table(name, false), "choice." + name, file);
    ChoiceWeights w;
    w.revise = r.number("revise", {0, 1}, w.revise);
    w.capability = r.number("capability", {-1e3, 1e3}, w.capability);
    w.log_price = r.number("log_price", {-1e3, 1e3}, w.log_price);
    w.country_share = r.number("country_share", {-1e3, 1e3}, w.country_share);
    w.switching_cost = r.number("switching_cost", {-1e3, 1e3}, w.switching_cost);
    r.done();
    s.choice[index_of(kind)] = w;
  }
  choice.done();
}

// initial_share = { stack_id = fraction, ... }: stacks left out hold none; the fractions sum to 1.
std::vector<double> read_initial_share(const toml::table& shares, const Scenario& s, const TableReader& owner) {
  std::vector<double> share(s.stacks.size(), 0.0);
  double total = 0;
  for (auto&& [key, value] : shares) {
    auto it = std::find_if(s.stacks.begin(), s.stacks.end(), [&](const StackSpec& st) { return st.id == key.str(); });
    std::string path = "initial_share." + std::string(key.str());
    if (it == s.stacks.end()) owner.fail_at(&value, path, "unknown stack '" + std::string(key.str()) + "'");
    auto x = value.value<double>();
    if (!x || !value.is_number()) owner.fail_at(&value, path, "expected a number");
    if (!std::isfinite(*x) || *x < 0 || *x > 1) owner.fail_at(&value, path, "must be a fraction between 0 and 1");
    share[it - s.stacks.begin()] = *x;
    total += *x;
  }
  if (std::fabs(total - 1.0) > 1e-6) {
    std::ostringstream what;
    what << "the fractions sum to " << total << ", not 1";
    owner.fail_at(&shares, "initial_share", what.str());
  }
  return share;
}

void read_countries(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  TableReader defaults(root.table("country_defaults", false), "country_defaults", file);
  std::optional<double> default_developers, default_firms;
  if (defaults.has("developers")) default_developers = defaults.number("developers", {0, 1e10}, std::nullopt);
  if (defaults.has("firms")) default_firms = defaults.number("firms", {0, 1e10}, std::nullopt);
  const toml::table* default_share = nullptr;
  if (defaults.has("initial_share")) {
    // Checked here, whether or not any country uses it, so that its errors name it.
    default_share = &defaults.table("initial_share", true);
    read_initial_share(*default_share, s, defaults);
  }
  defaults.done();

  toml::array& countries = root.array_of_tables("countries", true);
  if (countries.empty()) root.fail_at(&countries, "countries", "a scenario needs at least one country");
  std::set<std::string> seen;
  double developers = 0, firms = 0;
  for (std::size_t c = 0; c < countries.size(); ++c) {
    toml::table& table = *countries[c].as_table();
    TableReader r(table, "countries[" + std::to_string(c) + "]", file);
    CountrySpec spec;
    spec.id = r.text("id", std::nullopt);
    if (!is_identifier(spec.id, "_-"))
      r.fail_at(table.get("id"), "id", "'" + spec.id + "' is not a valid country id (ISO alpha-3 code or group id)");
    if (!seen.insert(spec.id).second) r.fail_at(table.get("id"), "id", "country '" + spec.id + "' is listed twice");
    spec.name = r.text("name", spec.id);
    spec.developers = r.number("developers", {0, 1e10}, default_developers);
    // Firms may be left out: a world without firm agents needs none (checked below).
    spec.firms = r.number("firms", {0, 1e10}, default_firms.value_or(0.0));
    if (!r.has("initial_share") && default_share)
      file.replace(table, "initial_share", toml::table(*default_share), default_share);
    spec.initial_share = read_initial_share(r.table("initial_share", true), s, r);
    r.done();
    developers += spec.developers;
    firms += spec.firms;
    s.countries.push_back(spec);
  }
  if (!(developers > 0)) root.fail_at(&countries, "countries", "no country has any developers");
  if (s.firm_agents > 0 && !(firms > 0))
    root.fail_at(root.table("population", true).get("firm_agents"), "population.firm_agents",
                 "there are firm agents but no country has any firms");
  auto too_few_agents = [&](const char* key, std::int64_t agents, auto has_people, const char* who) {
    auto populated = std::count_if(s.countries.begin(), s.countries.end(), has_people);
    if (agents > 0 && agents < populated)
      root.fail_at(root.table("population", true).get(key), std::string("population.") + key,
                   std::to_string(agents) + " agents are fewer than the " + std::to_string(populated) +
                       " countries with " + who + ": each needs at least one");
  };
  too_few_agents("developer_agents", s.developer_agents, [](const CountrySpec& c) { return c.developers > 0; }, "developers");
  too_few_agents("firm_agents", s.firm_agents, [](const CountrySpec& c) { return c.firms > 0; }, "firms");
}

std::string serialise(const toml::table& table) {
  std::ostringstream out;
  out << toml::toml_formatter(table, toml::toml_formatter::default_flags & ~toml::format_flags::indentation);
  return out.str();
}

}  // namespace

Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides) {
  toml::table table = parse(path);
  detail::ScenarioSource source{path, {}};
  auto apply = [&](const std::string& assignment, const std::string& origin) {
    detail::apply_override(table, assignment, origin, source.origins);
  };
  for (const std::string& assignment : overrides.set) apply(assignment, "--set " + assignment);
  if (overrides.steps) apply("scenario.steps=" + std::to_string(*overrides.steps), "--steps " + std::to_string(*overrides.steps));
  if (overrides.developer_agents) scale_population(table, *overrides.developer_agents, apply);
  if (overrides.seed) apply("scenario.seed=" + std::to_string(*overrides.seed), "--seed " + std::to_string(*overrides.seed));

  Scenario s;
  s.source_path = path;
  TableReader root(table, "", source);
  read_header(root, s, source);
  read_population(root, s, overrides, source);
  read_stacks(root, s, source);
  read_choice(root, s, source);
  read_countries(root, s, source);
  root.done();
  s.resolved_toml = serialise(table);
  return s;
}

}  // namespace stackrace
