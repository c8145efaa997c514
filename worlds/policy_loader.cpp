#include "worlds/policy_loader.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_set>

#include "agents/reach.hpp"
#include "model/month.hpp"
#include "worlds/detail/target_index.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace {
namespace {

using detail::Bounds;
using detail::TableReader;

// Every optional key's default is the policy struct's default member value (the `p.x`
// handed to the reader below), so that policies/ defines each default once; the tests
// compare a policy read without its optional keys with the struct's defaults.

Bloc read_bloc(TableReader& r, std::string_view key, Bloc fallback) {
  return bloc_named(r.one_of(key, {"us", "cn", "other"}, bloc_name(fallback)));
}

// A month written YYYY-MM at `key` (empty where optional and absent).
std::string read_month(TableReader& r, std::string_view key, bool required) {
  const std::string month = r.text(key, required ? std::nullopt : std::optional<std::string>(std::string{}));
  if ((required || !month.empty()) && !is_month(month))
    r.fail_at(r.node(key), key, "'" + month + "' is not a month written YYYY-MM");
  return month;
}

PolicyWindow read_window(TableReader& r, const Scenario& s) {
  PolicyWindow w;
  const std::string start = read_month(r, "start", false), end = read_month(r, "end", false);
  if (!start.empty()) w.first = months_between(s.start, start);
  if (!end.empty()) w.last = months_between(s.start, end);
  if (!start.empty() && !end.empty() && w.last < w.first)
    r.fail_at(r.node("end"), "end", "the window ends (" + end + ") before it starts (" + start + ")");
  return w;
}

// Targets: country ids, "all", "tier:N", "alignment:us|cn|none", "region:NAME".
PolicyTargets read_targets(TableReader& r, const detail::TargetIndex& index, bool required) {
  PolicyTargets t{std::vector<std::uint8_t>(index.country_count(), 0)};
  const toml::node* node = r.node("targets");
  r.known("targets");
  if (!node) {
    if (required) r.fail_at(nullptr, "targets", "required key is missing (country ids, all, tier:N, alignment:BLOC or region:NAME)");
    std::fill(t.country.begin(), t.country.end(), 1);
    return t;
  }
  const toml::array* list = node->as_array();
  if (!list || list->empty()) r.fail_at(node, "targets", "expected a non-empty list of targets");
  std::unordered_set<std::string> applied;  // a target listed again marks no country twice
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string where = "targets[" + std::to_string(i) + "]";
    auto text = item.value<std::string>();
    if (!item.is_string() || !text) r.fail_at(&item, where, "expected a string");
    const std::vector<int>* named = index.countries_of(*text);
    if (!named)
      r.fail_at(&item, where,
                "unknown target '" + *text + "' (a country id of this scenario, all, tier:N, alignment:us|cn|none or region:NAME)");
    if (!applied.insert(*text).second) continue;
    for (int c : *named) t.country[c] = 1;
  }
  return t;
}

int read_stack(TableReader& r, const Scenario& s, bool allow_outside = false) {
  std::string id = r.text("stack", std::nullopt);
  for (int k = 0; k < s.stack_count(); ++k)
    if (s.stacks[k].id == id) {
      if (s.stacks[k].outside && !allow_outside) r.fail_at(r.node("stack"), "stack", "'" + id + "' is the outside option");
      return k;
    }
  r.fail_at(r.node("stack"), "stack", "unknown stack '" + id + "'");
}

// A policy of type P with its window and targets read.
template <class P>
P targeted(TableReader& r, const detail::TargetIndex& index, const PolicyWindow& window, bool targets_required = true) {
  P p;
  p.window = window;
  p.targets = read_targets(r, index, targets_required);
  return p;
}

Policy read_policy(TableReader& r, const Scenario& s, const detail::TargetIndex& index) {
  const std::string type = r.one_of("type", {"export_control", "ban", "tariff", "subsidy", "infrastructure_bundle",
                                             "data_localisation", "open_weight_restriction", "robot_tariff"},
                                    std::nullopt);
  r.text("name", std::string{});
  const PolicyWindow window = read_window(r, s);
  if (type == "export_control") {
    auto p = targeted<ExportControl>(r, index, window);
    p.access = r.one_of("access", {"capped", "embargoed"}, std::nullopt) == "capped" ? ExportControl::Access::capped
                                                                                    : ExportControl::Access::embargoed;
    p.restricted_bloc = read_bloc(r, "restricted_bloc", p.restricted_bloc);
    const bool capped = p.access == ExportControl::Access::capped;
    p.cap_h100e_per_year =
        r.number("cap_h100e_per_year", {0, 1e12}, capped ? std::nullopt : std::optional(p.cap_h100e_per_year));
    p.leakage = r.number("leakage", {0, 1}, p.leakage);
    p.compute_growth_cut = r.number("compute_growth_cut", {0, 1}, p.compute_growth_cut);
    return p;
  }
  if (type == "ban") {
    auto p = targeted<StackBan>(r, index, window);
    p.stack = read_stack(r, s);
    using Scope = StackBan::Scope;
    const std::string scope = r.one_of("scope", {"government", "firms", "all"},
                                       std::string(p.scope == Scope::government ? "government"
                                                   : p.scope == Scope::firms    ? "firms"
                                                                                : "all"));
    p.scope = scope == "government" ? StackBan::Scope::government
              : scope == "firms"    ? StackBan::Scope::firms
                                    : StackBan::Scope::all;
    return p;
  }
  if (type == "tariff") {
    auto p = targeted<Tariff>(r, index, window);
    p.stack = read_stack(r, s);
    p.rate = r.number("rate", {0, 100}, std::nullopt);
    return p;
  }
  if (type == "subsidy") {
    auto p = targeted<Subsidy>(r, index, window);
    p.stack = read_stack(r, s);
    p.price_share = r.number("price_share", {0, 0.99}, p.price_share);
    p.setup = r.number("setup", {0, 100}, p.setup);
    return p;
  }
  if (type == "infrastructure_bundle") {
    auto p = targeted<InfrastructureBundle>(r, index, window);
    p.stack = read_stack(r, s);
    p.offered_by = read_bloc(r, "offered_by", p.offered_by);
    p.build_months = static_cast<int>(r.integer("build_months", 0, 600, p.build_months));
    p.price_cut = r.number("price_cut", {0, 0.99}, p.price_cut);
    p.appeal = r.number("appeal", {-100, 100}, p.appeal);
    p.lock_in = r.number("lock_in", {0, 100}, p.lock_in);
    p.compute_share = r.number("compute_share", {0, 1}, p.compute_share);
    p.power_mw = r.number("power_mw", {0, 1e6}, p.power_mw);
    p.accept_base = r.number("accept_base", {-100, 100}, p.accept_base);
    p.accept_alignment = r.number("accept_alignment", {-100, 100}, p.accept_alignment);
    p.accept_government = r.number("accept_government", {-100, 100}, p.accept_government);
    return p;
  }
  if (type == "robot_tariff") {
    auto p = targeted<RobotTariff>(r, index, window);
    p.bloc = read_bloc(r, "bloc", p.bloc);
    p.rate = r.number("rate", {0, 100}, std::nullopt);
    return p;
  }
  if (type == "data_localisation") {
    auto p = targeted<DataLocalisation>(r, index, window);
    p.level = static_cast<int>(r.integer("level", 0, 2, p.level));
    return p;
  }
  OpenWeightRestriction p;
  p.window = window;
  p.bloc = read_bloc(r, "bloc", p.bloc);
  p.mode = r.one_of("mode", {"stop_release", "restrict_use"}, std::nullopt) == "stop_release"
               ? OpenWeightRestriction::Mode::stop_release
               : OpenWeightRestriction::Mode::restrict_use;
  p.targets = read_targets(r, index, p.mode == OpenWeightRestriction::Mode::restrict_use);
  p.penalty = r.number("penalty", {0, 100}, p.penalty);
  return p;
}

// One `[[availability]]` entry: a stack not served in the target countries.
StackAvailability read_unserved(TableReader& r, const Scenario& s, const detail::TargetIndex& index) {
  StackAvailability a;
  a.name = r.text("name", std::string{});
  a.window = read_window(r, s);
  a.targets = read_targets(r, index, true);
  a.stack = read_stack(r, s);
  a.leakage = r.number("leakage", {0, 1}, std::nullopt);
  if (const toml::node* node = r.node("kinds")) {
    r.known("kinds");
    const toml::array* list = node->as_array();
    if (!list || list->empty()) r.fail_at(node, "kinds", "expected a non-empty list of kinds (country, firm, developer)");
    a.kinds = {false, false, false};
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      auto name = item.value<std::string>();
      auto kind = name ? agent_kind_named(*name) : std::nullopt;
      if (!item.is_string() || !kind)
        r.fail_at(&item, "kinds[" + std::to_string(i) + "]", "expected one of country, firm, developer");
      a.kinds[index_of(*kind)] = true;
    }
  }
  return a;
}

// Agents cannot start on a stack nobody in their country can get: the starting share of
// such a stack goes to the country's other AI stacks in proportion (or, with none, to the
// outside option). Shares of stacks reached in part stay as observed: where they exceed
// the reach, the run shows them falling to what leakage allows.
void drop_unreachable_starts(Scenario& s) {
  const auto outside = s.outside_stack();
  for (const StackAvailability& a : s.availability) {
    if (a.leakage > 0 || !a.window.covers(1)) continue;
    for (std::size_t c = 0; c < s.countries.size(); ++c) {
      if (!a.targets.includes(int(c))) continue;
      for (AgentKind kind : all_agent_kinds) {
        if (!a.kinds[index_of(kind)]) continue;
        std::vector<double>& share = s.countries[c].initial_share[index_of(kind)];
        const double lost = share[a.stack];
        if (lost == 0) continue;
        share[a.stack] = 0;
        double others = 0;
        for (std::size_t k = 0; k < share.size(); ++k) others += outside && int(k) == *outside ? 0.0 : share[k];
        if (others > 0) {
          for (std::size_t k = 0; k < share.size(); ++k)
            if (!(outside && int(k) == *outside)) share[k] += lost * share[k] / others;
        } else {
          share[outside ? *outside : a.stack] += lost;  // no other stack at all: it stays
        }
      }
    }
  }
}

// One `[[events]]` entry: in the month `date`, set what it names of `stack`.
StackEvent read_event(TableReader& r, const Scenario& s) {
  StackEvent e;
  e.name = r.text("name", std::string{});
  e.month = months_between(s.start, read_month(r, "date", true));
  e.stack = read_stack(r, s);
  if (r.has("lag_months")) e.lag_months = r.number("lag_months", {0, 600}, std::nullopt);
  if (r.has("capability")) e.capability = r.number("capability", {-1000, 1000}, std::nullopt);
  if (r.has("price")) e.price = r.number("price", {0, 1e6, true}, std::nullopt);
  if (!e.lag_months && !e.capability && !e.price)
    r.fail_at(nullptr, "lag_months", "an event sets at least one of lag_months, capability, price");
  return e;
}

// Reads each entry of the array of tables `key` with read_one(reader), each entry's
// unknown keys refused once it is read. An entry may carry an `id`, unique in its array,
// by which `--set` and sweeps address it (`policies.tier3_chips.leakage`) instead of by
// its place in the merged file; an id starts with a letter, so it is never an index.
template <class ReadOne>
void read_entries(TableReader& root, const std::string& key, detail::ScenarioSource& file, ReadOne&& read_one) {
  toml::array& entries = root.array_of_tables(key, false);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    TableReader r(*entries[i].as_table(), key + "[" + std::to_string(i) + "]", file);
    if (r.has("id")) {
      const std::string id = r.text("id", std::nullopt);
      if (!detail::is_identifier(id, "_") || !std::isalpha(static_cast<unsigned char>(id[0])))
        r.fail_at(r.node("id"), "id", "'" + id + "' is not a valid id (a letter, then letters, digits, _)");
      if (!ids.insert(id).second) r.fail_at(r.node("id"), "id", "'" + id + "' is the id of an earlier entry");
    }
    read_one(r);
    r.done();
  }
}

}  // namespace

void read_events(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  read_entries(root, "events", file, [&](TableReader& r) { s.events.push_back(read_event(r, s)); });
}

void read_availability(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  std::vector<std::vector<std::uint8_t>> unserved(s.countries.size(), std::vector<std::uint8_t>(s.stacks.size(), 0));
  const detail::TargetIndex index(s.countries);
  read_entries(root, "availability", file, [&](TableReader& r) {
    s.availability.push_back(read_unserved(r, s, index));
    const StackAvailability& a = s.availability.back();
    for (std::size_t c = 0; c < s.countries.size(); ++c) {
      if (!a.targets.includes(int(c))) continue;
      unserved[c][a.stack] = 1;
      int n = 0;
      for (std::uint8_t x : unserved[c]) n += x;
      // The choice enumerates the combinations of unserved stacks an agent reaches.
      if (n > most_unserved)
        r.fail_at(r.node("targets"), "targets",
                  "more than " + std::to_string(most_unserved) + " stacks are unserved in " + s.countries[c].id);
    }
  });
  drop_unreachable_starts(s);
}

int months_between(const std::string& from, const std::string& to) {
  auto months = [](const std::string& m) { return std::stoi(m.substr(0, 4)) * 12 + std::stoi(m.substr(5, 2)) - 1; };
  return months(to) - months(from);
}

void read_policies(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  const detail::TargetIndex index(s.countries);
  read_entries(root, "policies", file, [&](TableReader& r) { s.policies.push_back(read_policy(r, s, index)); });
  // The order in which policies apply within a month is their type's (policies/policy.hpp).
  std::stable_sort(s.policies.begin(), s.policies.end(),
                   [](const Policy& a, const Policy& b) { return a.index() < b.index(); });
}

}  // namespace stackrace
