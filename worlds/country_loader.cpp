#include "worlds/country_loader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <sstream>

#include "worlds/csv_table.hpp"
#include "worlds/detail/input_file.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace {
namespace {

using detail::Bounds;
using detail::TableReader;
using Shares = std::array<std::vector<double>, agent_kind_count>;

// Firms and their staff by size class (worlds/README.md, "[world.firm_sizes]"): one split
// for high-income economies, another for the rest, and each class's adoption at the start
// relative to the firms of 10+ staff. Every default is the EU's (worlds/SOURCES.md).
struct FirmSizeRules {
  double high_income_gdp = 14'005;  // USD of GDP per head: the World Bank's threshold
  BySize firms = CountrySpec{}.firm_size_share, staff = CountrySpec{}.staff_share;
  BySize developing_firms = firms, developing_staff = staff;
  BySize start{1, 1, 1, 1};
};

// The documented rules that turn the country table's columns into the model's inputs
// (worlds/README.md, "[world]"; every default is sourced in worlds/SOURCES.md).
struct WorldRules {
  std::string table_path;  // empty: no table
  std::string ties_path;   // empty: no ties table
  double firms_per_gdp_usd = 0;
  double datacenter_mw_per_gdp_trillion = 0;
  double physical_share = 0.3;
  bool physical_share_given = false;  // set in the scenario: every country's, over the table's employment
  FirmSizeRules firm_sizes;
  double developer_adoption = 0.84;
  double world_user_share = 0.163;
  double firm_per_user = 0.5;
  double government_per_user = 3.0;
  std::string closed_stack, open_stack;
  std::string us_open_stack;  // empty: the non-Chinese users are all on closed_stack
  double us_open_share = 0;   // share of the non-Chinese AI users on us_open_stack
  std::optional<double> open_share;  // every country's share of AI users on open_stack (else the table's deepseek_share)
};

int stack_index(const Scenario& s, const std::string& id) {
  for (int k = 0; k < s.stack_count(); ++k)
    if (s.stacks[k].id == id) return k;
  return -1;
}

// Four shares, one a size class (`<size><suffix>`, with `prefix`), summing to 1.
BySize read_split_by_size(TableReader& r, const std::string& prefix, const std::string& suffix, const BySize& fallback) {
  BySize shares{};
  double total = 0;
  for (int size = 0; size < firm_size_count; ++size)
    total += shares[size] = r.number(prefix + firm_size_name(size) + suffix, {0, 1}, fallback[size]);
  if (std::fabs(total - 1.0) > 1e-3) {
    const std::string last = prefix + firm_size_name(large_size) + suffix;
    std::ostringstream what;
    what << prefix << "micro" << suffix << " .. " << last << " sum to " << total << ", not 1";
    r.fail_at(r.node(last) ? r.node(last) : &r.raw(), last, what.str());
  }
  return shares;
}

FirmSizeRules read_firm_sizes(TableReader& world, detail::ScenarioSource& file) {
  FirmSizeRules f;
  TableReader r(world.table("firm_sizes", false), "world.firm_sizes", file);
  f.high_income_gdp = r.number("high_income_gdp", {0, 1e7}, f.high_income_gdp);
  f.firms = read_split_by_size(r, "", "_firms", f.firms);
  f.staff = read_split_by_size(r, "", "_staff", f.staff);
  f.developing_firms = read_split_by_size(r, "developing_", "_firms", f.firms);
  f.developing_staff = read_split_by_size(r, "developing_", "_staff", f.staff);
  for (int size = 0; size < firm_size_count; ++size)
    f.start[size] = r.number(std::string(firm_size_name(size)) + "_start", {0, 100}, f.start[size]);
  for (int size = 0; size < firm_size_count; ++size)
    for (const auto& [firms, staff, prefix] : {std::tuple{&f.firms, &f.staff, ""}, {&f.developing_firms, &f.developing_staff, "developing_"}})
      if (((*firms)[size] > 0) != ((*staff)[size] > 0)) {
        const std::string key = prefix + std::string(firm_size_name(size)) + "_staff";
        r.fail_at(r.node(key) ? r.node(key) : &r.raw(), key, "a size class with firms needs staff, and one with staff firms");
      }
  r.done();
  return f;
}

// A country's firms and staff by size, by its income, and how much each class had
// adopted at the start over its firms of 10+ staff: the classes' `start` over their
// average, weighted by firms, among the 10+ classes.
void set_firm_sizes(CountrySpec& c, const FirmSizeRules& f) {
  const bool rich = c.gdp_per_capita >= f.high_income_gdp;
  c.firm_size_share = rich ? f.firms : f.developing_firms;
  c.staff_share = rich ? f.staff : f.developing_staff;
  double firms = 0, started = 0;
  for (int size = small_size; size < firm_size_count; ++size)
    firms += c.firm_size_share[size], started += c.firm_size_share[size] * f.start[size];
  for (int size = 0; size < firm_size_count; ++size)
    c.firm_start_factor[size] = started > 0 ? f.start[size] * firms / started : 1.0;
}

// A data file `key` names, relative to the file that names it; empty where none is named.
std::string data_file(TableReader& r, detail::ScenarioSource& file, std::string_view key) {
  std::string named = r.text(key, std::string{});
  if (named.empty()) return named;
  std::filesystem::path path(named);
  if (path.is_relative()) path = std::filesystem::path(file.file_of(r.node(key))).parent_path() / path;
  const std::string resolved = path.lexically_normal().string();
  if (auto problem = detail::unreadable_file(resolved)) r.fail_at(r.node(key), key, *problem + ": " + resolved);
  return resolved;
}

WorldRules read_world(TableReader& root, const Scenario& s, detail::ScenarioSource& file) {
  WorldRules w;
  TableReader r(root.table("world", false), "world", file);
  // Relative to the file that names it (which may be a scenario this one extends).
  w.table_path = data_file(r, file, "countries_table");
  w.ties_path = data_file(r, file, "ties_table");
  w.firms_per_gdp_usd = r.number("firms_per_gdp_usd", {0, 1}, 1.2e-6);
  w.datacenter_mw_per_gdp_trillion = r.number("datacenter_mw_per_gdp_trillion", {0, 1e6}, 451.0);
  w.physical_share_given = r.has("physical_share");
  w.physical_share = r.number("physical_share", {0, 1}, w.physical_share);
  w.firm_sizes = read_firm_sizes(r, file);
  w.developer_adoption = r.number("developer_adoption", {0, 1}, w.developer_adoption);
  w.world_user_share = r.number("world_user_share", {0, 1, true}, w.world_user_share);
  w.firm_per_user = r.number("firm_per_user", {0, 100}, w.firm_per_user);
  w.government_per_user = r.number("government_per_user", {0, 100}, w.government_per_user);
  const bool needs_split = !w.table_path.empty();
  w.closed_stack = r.text("closed_stack", std::string(needs_split ? "us_closed" : ""));
  w.open_stack = r.text("open_stack", std::string(needs_split ? "cn_open" : ""));
  if (needs_split && stack_index(s, w.closed_stack) < 0)
    r.fail_at(r.node("closed_stack"), "closed_stack", "unknown stack '" + w.closed_stack + "'");
  if (needs_split && stack_index(s, w.open_stack) < 0)
    r.fail_at(r.node("open_stack"), "open_stack", "unknown stack '" + w.open_stack + "'");
  w.us_open_stack = r.text("us_open_stack", std::string{});
  if (!w.us_open_stack.empty()) {
    const int k = stack_index(s, w.us_open_stack);
    if (k < 0) r.fail_at(r.node("us_open_stack"), "us_open_stack", "unknown stack '" + w.us_open_stack + "'");
    if (s.stacks[k].outside || w.us_open_stack == w.closed_stack || w.us_open_stack == w.open_stack)
      r.fail_at(r.node("us_open_stack"), "us_open_stack",
                "'" + w.us_open_stack + "' must be an AI stack other than closed_stack and open_stack");
  }
  w.us_open_share = r.number("us_open_share", {0, 1}, w.us_open_share);
  // A world of another year than the table's (a hindcast) gives the open stack's share
  // itself: the table's DeepSeek shares are of late 2025.
  if (r.has("open_share")) w.open_share = r.number("open_share", {0, 1}, std::nullopt);
  if (w.us_open_share > 0 && w.us_open_stack.empty())
    r.fail_at(r.node("us_open_share"), "us_open_share", "a share for no stack: name it in us_open_stack");
  r.done();
  return w;
}

// Countries are us- or cn-aligned, or non-aligned (`none` in a scenario, `nonaligned` in
// the country table); callers accept only those words.
Bloc parse_alignment(const std::string& text) { return text == "us" || text == "cn" ? bloc_named(text) : Bloc::none; }

// A country id, in `[[countries]]` and the country table alike: it names the country in
// policy targets, `--set countries.ID...` and the result file.
bool is_country_id(const std::string& id) { return detail::is_identifier(id, "_-"); }

std::string not_a_country_id(const std::string& id) {
  return "'" + id + "' is not a valid country id (ISO alpha-3 code or group id: letters, digits, _, -)";
}

// A row of the country table is a country, named by its ISO 3166-1 alpha-3 code (group
// ids are for `[[countries]]` alone); the result file and the notebooks' maps key on it.
bool is_iso3(const std::string& code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

// Starting shares of one kind: `adoption` of the kind uses AI, split between the Chinese
// open stack and the rest as the country's AI users are, the rest between the US closed
// and (where the world has one) the US open stack. Without an outside option everyone
// uses some stack.
std::vector<double> starting_shares(const Scenario& s, const WorldRules& w, double adoption, double open_split) {
  std::vector<double> share(s.stacks.size(), 0.0);
  auto outside = s.outside_stack();
  if (!outside) adoption = 1.0;
  adoption = std::clamp(adoption, 0.0, 1.0);
  if (outside) share[*outside] = 1.0 - adoption;
  share[stack_index(s, w.open_stack)] += adoption * open_split;
  const double us_open = w.us_open_stack.empty() ? 0.0 : w.us_open_share;
  share[stack_index(s, w.closed_stack)] += adoption * (1.0 - open_split) * (1.0 - us_open);
  if (!w.us_open_stack.empty()) share[stack_index(s, w.us_open_stack)] += adoption * (1.0 - open_split) * us_open;
  return share;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// A figure the table gives for some countries only: the others take their region's
// median of it, else the world's (each median sorted once, not once per row that needs it).
class RegionFill {
 public:
  template <class Value>
  RegionFill(const CsvTable& t, Value&& value_of_row) {
    std::map<std::string, std::vector<double>> by_region;
    std::vector<double> all;
    for (std::size_t row = 0; row < t.rows(); ++row)
      if (std::optional<double> x = value_of_row(row)) {
        by_region[t.text(row, "region")].push_back(*x);
        all.push_back(*x);
      }
    for (const auto& [region, values] : by_region) region_median_[region] = median(values);
    world_median_ = median(all);
  }
  double operator()(const std::string& region, std::optional<double> own) const {
    if (own) return *own;
    auto found = region_median_.find(region);
    return found != region_median_.end() ? found->second : world_median_;
  }

 private:
  std::map<std::string, double> region_median_;
  double world_median_ = 0;
};

// A country's share of firms in physical sectors: its share of employment in industry
// and agriculture (worlds/data/SOURCES-countries.md, "physical_share"); none where the
// table gives neither.
std::optional<double> physical_employment(const CsvTable& t, std::size_t row) {
  const auto industry = t.number(row, "industry_employment_pct", 0, 100, true);
  const auto agriculture = t.number(row, "agriculture_employment_pct", 0, 100, true);
  if (!industry || !agriculture) return std::nullopt;
  if (*industry + *agriculture > 100)
    t.fail(row, "agriculture_employment_pct", "industry and agriculture together exceed 100% of employment");
  return (*industry + *agriculture) / 100.0;
}

std::vector<CountrySpec> countries_from_table(const Scenario& s, const WorldRules& w) {
  CsvTable t = CsvTable::read(w.table_path);
  // DeepSeek's share is published for few countries (SOURCES-countries.md, "deepseek_share").
  const RegionFill deepseek_fill(t, [&](std::size_t row) { return t.number(row, "deepseek_share", 0, 1, true); });
  // Developer growth is published for every economy with 100 or more accounts: the rest
  // take their region's median; a table without the column, none.
  const bool growth = t.has_column("developer_growth_pct");
  const RegionFill growth_fill(t, [&](std::size_t row) {
    return growth ? t.number(row, "developer_growth_pct", -99, 1000, true) : std::optional<double>(0.0);
  });
  // A table without employment columns, or a scenario that sets world.physical_share,
  // gives every country that share.
  const bool employment = !w.physical_share_given && t.has_column("industry_employment_pct") &&
                          t.has_column("agriculture_employment_pct");
  const RegionFill physical_fill(t, [&](std::size_t row) {
    return employment ? physical_employment(t, row) : std::optional<double>(w.physical_share);
  });
  std::vector<CountrySpec> countries;
  std::map<std::string, std::size_t> row_of;  // each id's first row
  for (std::size_t row = 0; row < t.rows(); ++row) {
    CountrySpec c;
    c.id = t.text(row, "iso3");
    if (!is_iso3(c.id)) t.fail(row, "iso3", "'" + c.id + "' is not an ISO 3166-1 alpha-3 code (three capital letters A-Z)");
    if (auto [first, added] = row_of.emplace(c.id, row); !added)
      t.fail(row, "iso3",
             "country '" + c.id + "' is listed twice (first on line " + std::to_string(t.line(first->second)) + ")");
    c.name = t.text(row, "name");
    c.region = t.text(row, "region");
    const double population = *t.number(row, "population_m", 0, 2e3) * 1e6;
    c.gdp_per_capita = *t.number(row, "gdp_per_capita_usd", 0, 1e6);
    const double gdp = population * c.gdp_per_capita;
    c.developers = *t.number(row, "developers", 0, 1e9);
    c.developer_growth =
        growth_fill(c.region, growth ? t.number(row, "developer_growth_pct", -99, 1000, true) : std::optional(0.0)) / 100.0;
    c.firms = t.number(row, "firms", 0, 1e9, true).value_or(w.firms_per_gdp_usd * gdp);
    c.alignment = parse_alignment(t.one_of(row, "alignment", {"us", "cn", "nonaligned"}));
    c.export_control_tier = static_cast<int>(t.integer(row, "ec_tier", 1, 3));
    c.data_localisation = static_cast<int>(t.integer(row, "data_localisation", 0, 2));
    c.electricity_gw = t.number(row, "electricity_capacity_gw", 0, 1e5, true).value_or(0.0);
    c.electricity_growth = t.number(row, "electricity_growth_pct", -100, 100, true).value_or(0.0) / 100.0;
    c.datacenter_mw =
        t.number(row, "datacenter_mw", 0, 1e7, true).value_or(w.datacenter_mw_per_gdp_trillion * gdp / 1e12);
    // The build-out: the table's data-centre growth, else (none) the country's electricity's.
    if (t.has_column("datacenter_growth_pct"))
      if (auto pct = t.number(row, "datacenter_growth_pct", -100, 1000, true)) c.datacenter_growth = *pct / 100.0;
    c.robot_density = t.has_column("robot_density") ? t.number(row, "robot_density", 0, 1e5, true).value_or(0.0) : 0.0;
    c.physical_share = physical_fill(c.region, employment ? physical_employment(t, row) : w.physical_share);
    const double users = *t.number(row, "ai_user_share", 0, 1);
    const double table_split = deepseek_fill(c.region, t.number(row, "deepseek_share", 0, 1, true));
    const double open_split = w.open_share.value_or(table_split);
    // Developers use AI far more than the population: the world's developer adoption,
    // raised to the country's relative user share (MODEL.md, "Initial state").
    const double relative = users / w.world_user_share;
    c.initial_share[index_of(AgentKind::developer)] =
        starting_shares(s, w, 1.0 - std::pow(1.0 - w.developer_adoption, relative), open_split);
    c.initial_share[index_of(AgentKind::firm)] = starting_shares(s, w, w.firm_per_user * users, open_split);
    c.initial_share[index_of(AgentKind::country)] = starting_shares(s, w, w.government_per_user * users, open_split);
    countries.push_back(std::move(c));
  }
  return countries;
}

// initial_share = { stack_id = fraction, ... } for every kind, or
// initial_share = { developer = { ... }, firm = { ... }, country = { ... } } per kind.
// Stacks left out hold none; each kind's fractions sum to 1.
std::vector<double> read_split(const toml::table& shares, const Scenario& s, const TableReader& owner,
                               const std::string& path) {
  std::vector<double> share(s.stacks.size(), 0.0);
  double total = 0;
  for (auto&& [key, value] : shares) {
    int k = stack_index(s, std::string(key.str()));
    std::string where = path + "." + std::string(key.str());
    if (k < 0) owner.fail_at(&value, where, "unknown stack '" + std::string(key.str()) + "'");
    auto x = value.value<double>();
    if (!x || !value.is_number()) owner.fail_at(&value, where, "expected a number");
    if (!std::isfinite(*x) || *x < 0 || *x > 1) owner.fail_at(&value, where, "must be a fraction between 0 and 1");
    share[k] = *x;
    total += *x;
  }
  if (std::fabs(total - 1.0) > 1e-6) {
    std::ostringstream what;
    what << "the fractions sum to " << total << ", not 1";
    owner.fail_at(&shares, path, what.str());
  }
  return share;
}

Shares read_initial_share(const toml::table& shares, const Scenario& s, const TableReader& owner) {
  Shares out;
  bool per_kind = false;
  for (AgentKind kind : all_agent_kinds) per_kind = per_kind || shares.contains(agent_kind_name(kind));
  for (AgentKind kind : all_agent_kinds) {
    std::string name(agent_kind_name(kind));
    if (!per_kind) {
      out[index_of(kind)] = read_split(shares, s, owner, "initial_share");
      continue;
    }
    const toml::node* node = shares.get(name);
    if (!node) owner.fail_at(&shares, "initial_share." + name, "missing: with per-kind shares, give all three kinds");
    if (!node->is_table()) owner.fail_at(node, "initial_share." + name, "expected a table of stack = fraction");
    out[index_of(kind)] = read_split(*node->as_table(), s, owner, "initial_share." + name);
  }
  if (per_kind)
    for (auto&& [key, value] : shares) {
      bool is_kind = false;
      for (AgentKind kind : all_agent_kinds) is_kind = is_kind || key.str() == agent_kind_name(kind);
      if (!is_kind) owner.fail_at(&value, "initial_share." + std::string(key.str()), "mixes per-kind and per-stack shares");
    }
  return out;
}

// The keys a country may set, each falling back to the value `c` has (from its table
// row or the defaults).
void read_country_keys(TableReader& r, CountrySpec& c, bool required) {
  auto or_required = [&](double value) { return required ? std::nullopt : std::optional<double>(value); };
  c.region = r.text("region", c.region);
  c.developers = r.number("developers", {0, 1e10}, or_required(c.developers));
  c.developer_growth = r.number("developer_growth", {-1, 10, true}, c.developer_growth);
  c.firms = r.number("firms", {0, 1e10}, c.firms);
  c.gdp_per_capita = r.number("gdp_per_capita", {0, 1e7}, c.gdp_per_capita);
  c.alignment = parse_alignment(r.one_of("alignment", {"us", "cn", "none"}, alignment_name(c.alignment)));
  c.export_control_tier = static_cast<int>(r.integer("ec_tier", 1, 3, c.export_control_tier));
  c.data_localisation = static_cast<int>(r.integer("data_localisation", 0, 2, c.data_localisation));
  c.electricity_gw = r.number("electricity_gw", {0, 1e5}, c.electricity_gw);
  c.electricity_growth = r.number("electricity_growth", {-1, 1}, c.electricity_growth);
  c.datacenter_mw = r.number("datacenter_mw", {0, 1e7}, c.datacenter_mw);
  // Without a build-out rate of its own, data-centre power grows with the electricity.
  if (r.has("datacenter_growth")) c.datacenter_growth = r.number("datacenter_growth", {-1, 10}, std::nullopt);
  c.robot_density = r.number("robot_density", {0, 1e5}, c.robot_density);
  c.physical_share = r.number("physical_share", {0, 1}, c.physical_share);
}

// A partner a `ties` entry names, where it was written: checked once every country is known.
struct NamedPartner {
  std::string id;
  std::string where;  // FILE:LINE:COL: countries[i].ties.ID
};

// A country's `ties = { ID = collaborations, ... }`.
std::vector<std::pair<std::string, double>> read_ties(TableReader& r, const std::string& path,
                                                      detail::ScenarioSource& file, std::vector<NamedPartner>& named) {
  const toml::table& table = r.table("ties", true);
  std::vector<std::pair<std::string, double>> ties;
  for (auto&& [key, value] : table) {
    const std::string id(key.str()), where = path + ".ties." + id;
    auto x = value.value<double>();
    if (!value.is_number() || !x || !std::isfinite(*x) || *x < 0)
      r.fail_at(&value, "ties." + id, "expected a number of collaborations, 0 or more");
    ties.emplace_back(id, *x);
    named.push_back({id, file.location(&value) + ": " + where});
  }
  return ties;
}

// The ties table (world.ties_table: from, to, collaborations) for every country whose
// entry does not list its own ties; rows naming a country the scenario has not are left out.
void read_ties_table(const std::string& path, std::vector<CountrySpec>& countries, const std::set<std::string>& own) {
  const CsvTable t = CsvTable::read(path, "the ties table");
  std::unordered_map<std::string, std::size_t> place;
  for (std::size_t c = 0; c < countries.size(); ++c) place.emplace(countries[c].id, c);
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t row = 0; row < t.rows(); ++row) {
    const std::string& from = t.text(row, "from");
    const std::string& to = t.text(row, "to");
    for (const auto& [column, code] : {std::pair{"from", &from}, {"to", &to}})
      if (!is_iso3(*code)) t.fail(row, column, "'" + *code + "' is not an ISO 3166-1 alpha-3 code (three capital letters A-Z)");
    if (from == to) t.fail(row, "to", "a country's tie to itself");
    if (!seen.emplace(from, to).second) t.fail(row, "to", "the tie " + from + " -> " + to + " is listed twice");
    const double collaborations = *t.number(row, "collaborations", 0, 1e15);
    const auto found = place.find(from);
    if (found == place.end() || !place.contains(to) || own.contains(from)) continue;
    countries[found->second].ties.emplace_back(to, collaborations);
  }
}

toml::table shares_table(const Scenario& s, const std::vector<double>& share) {
  toml::table t;
  for (int k = 0; k < s.stack_count(); ++k) t.insert(s.stacks[k].id, share[k]);
  return t;
}

}  // namespace

void read_countries(TableReader& root, Scenario& s, detail::ScenarioSource& file) {
  WorldRules rules = read_world(root, s, file);
  std::vector<CountrySpec> countries;
  if (!rules.table_path.empty()) {
    try {
      countries = countries_from_table(s, rules);
    } catch (const ScenarioError& e) {
      // The table's own position first; then which scenario key named the table.
      const toml::node* named = root.raw().at_path("world.countries_table").node();
      throw ScenarioError(std::string(e.what()) + " (in the country table named at " + file.location(named) +
                          ": world.countries_table)");
    }
  }

  TableReader defaults(root.table("country_defaults", false), "country_defaults", file);
  CountrySpec base;
  base.physical_share = rules.physical_share;
  std::optional<Shares> default_shares;
  if (defaults.has("initial_share")) {
    // Checked here, whether or not any country uses it, so that its errors name it.
    default_shares = read_initial_share(defaults.table("initial_share", true), s, defaults);
  }
  const bool developers_required = !defaults.has("developers");
  read_country_keys(defaults, base, false);
  defaults.done();

  toml::array& entries = root.array_of_tables("countries", countries.empty());
  std::set<std::string> seen, own_ties;
  std::vector<NamedPartner> partners;
  // Each id's place in `countries`: looked up once per entry, so that thousands of
  // entries load in linear time, not one scan of the countries each.
  std::unordered_map<std::string, std::size_t> place;
  for (std::size_t c = 0; c < countries.size(); ++c) place.emplace(countries[c].id, c);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    toml::table& table = *entries[i].as_table();
    // The resolved text rebuilds the countries from what is read here
    // (write_resolved_countries): their tables need no defaults written in.
    TableReader r(table, "countries[" + std::to_string(i) + "]", file, detail::Defaults::leave_out);
    std::string id = r.text("id", std::nullopt);
    if (!is_country_id(id)) r.fail_at(r.node("id"), "id", not_a_country_id(id));
    if (!seen.insert(id).second) r.fail_at(r.node("id"), "id", "country '" + id + "' is listed twice");
    const auto found = place.find(id);
    const bool from_table = found != place.end();
    CountrySpec* row = from_table ? &countries[found->second] : nullptr;
    // `--set countries.ID...` names a country of the table; a typo must not add one.
    if (!from_table && file.table_countries_set.contains(&entries[i]))
      r.fail_at(r.node("id"), "id",
                "no country '" + id + "' in " + (rules.table_path.empty() ? "" : "the country table or ") + "[[countries]]");
    CountrySpec c = from_table ? *row : base;
    c.id = id;
    c.name = r.text("name", from_table ? row->name : id);
    read_country_keys(r, c, !from_table && developers_required);
    if (r.has("initial_share") || !from_table)
      c.initial_share = r.has("initial_share") || !default_shares ? read_initial_share(r.table("initial_share", true), s, r)
                                                                  : *default_shares;
    if (r.has("ties")) {
      c.ties = read_ties(r, "countries[" + std::to_string(i) + "]", file, partners);
      own_ties.insert(id);
    }
    r.done();
    if (from_table) *row = std::move(c);
    else countries.push_back(std::move(c));  // `seen` refuses its id from now on: no place needed
  }
  if (countries.empty()) root.fail_at(&entries, "countries", "a scenario needs at least one country");
  std::set<std::string> ids;
  for (const CountrySpec& c : countries) ids.insert(c.id);
  for (const NamedPartner& partner : partners)
    if (!ids.contains(partner.id)) throw ScenarioError(partner.where + ": no country '" + partner.id + "' to be tied to");
  if (!rules.ties_path.empty()) {
    try {
      read_ties_table(rules.ties_path, countries, own_ties);
    } catch (const ScenarioError& e) {
      const toml::node* named = root.raw().at_path("world.ties_table").node();
      throw ScenarioError(std::string(e.what()) + " (in the ties table named at " + file.location(named) +
                          ": world.ties_table)");
    }
  }

  double developers = 0, firms = 0;
  for (const CountrySpec& c : countries) developers += c.developers, firms += c.firms;
  if (!(developers > 0)) root.fail_at(&entries, "countries", "no country has any developers");
  if (s.firm_agents > 0 && !(firms > 0))
    root.fail_at(root.table("population", true).get("firm_agents"), "population.firm_agents",
                 "there are firm agents but no country has any firms");
  for (CountrySpec& c : countries) set_firm_sizes(c, rules.firm_sizes);
  s.countries = std::move(countries);
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

void write_resolved_countries(toml::table& root, const Scenario& s) {
  toml::array countries;
  for (const CountrySpec& c : s.countries) {
    toml::table t;
    t.insert("id", c.id);
    t.insert("name", c.name);
    t.insert("region", c.region);
    t.insert("developers", c.developers);
    t.insert("developer_growth", c.developer_growth);
    t.insert("firms", c.firms);
    t.insert("gdp_per_capita", c.gdp_per_capita);
    t.insert("alignment", alignment_name(c.alignment));
    t.insert("ec_tier", c.export_control_tier);
    t.insert("data_localisation", c.data_localisation);
    t.insert("electricity_gw", c.electricity_gw);
    t.insert("electricity_growth", c.electricity_growth);
    t.insert("datacenter_mw", c.datacenter_mw);
    if (c.datacenter_growth) t.insert("datacenter_growth", *c.datacenter_growth);
    t.insert("robot_density", c.robot_density);
    t.insert("physical_share", c.physical_share);
    toml::table shares;
    for (AgentKind kind : all_agent_kinds)
      shares.insert(std::string(agent_kind_name(kind)), shares_table(s, c.initial_share[index_of(kind)]));
    t.insert("initial_share", std::move(shares));
    if (!c.ties.empty()) {
      toml::table ties;
      for (const auto& [partner, collaborations] : c.ties) ties.insert(partner, collaborations);
      t.insert("ties", std::move(ties));
    }
    countries.push_back(std::move(t));
  }
  root.insert_or_assign("countries", std::move(countries));
  if (auto world = root.get_as<toml::table>("world")) world->erase("countries_table"), world->erase("ties_table");
}

}  // namespace stackrace
