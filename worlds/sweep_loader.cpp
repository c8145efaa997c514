#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "worlds/detail/input_file.hpp"
#include "worlds/detail/table_reader.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_extends.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/sweep_spec.hpp"

namespace stackrace {
namespace {

using detail::Bounds;
using detail::TableReader;

std::string column_name(const std::string& key) {
  std::string name = key;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

std::string number_assignment(const std::string& key, double value) {
  std::ostringstream assignment;
  assignment.precision(17);
  assignment << key << '=' << value;
  return assignment.str();
}

std::vector<double> read_numbers(TableReader& r, std::string_view key) {
  const toml::node* node = r.node(key);
  r.known(key);
  const toml::array* list = node ? node->as_array() : nullptr;
  if (!list || list->empty()) r.fail_at(node, key, "expected a non-empty list of numbers");
  std::vector<double> values;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    auto x = item.value<double>();
    if (!item.is_number() || !x || !std::isfinite(*x))
      r.fail_at(&item, std::string(key) + "[" + std::to_string(i) + "]", "expected a finite number");
    values.push_back(*x);
  }
  return values;
}

// `values` given as text (months, modes) or as booleans (a switch on or off): levels,
// which designs pick among by code. Each label is a TOML string the key takes, or
// true/false written back as a TOML boolean. False where `values` holds numbers.
bool read_levels(TableReader& r, SweepParameter& p) {
  const toml::node* node = r.node("values");
  const toml::array* list = node ? node->as_array() : nullptr;
  if (!list || list->empty() || !(list->get(0)->is_string() || list->get(0)->is_boolean())) return false;
  r.known("values");
  p.kind = SweepParameter::Kind::values;
  p.boolean = list->get(0)->is_boolean();
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string where = "values[" + std::to_string(i) + "]";
    std::optional<std::string> label;
    if (p.boolean && item.is_boolean()) label = **item.as_boolean() ? "true" : "false";
    if (!p.boolean && item.is_string()) label = item.value<std::string>();
    if (!label)
      r.fail_at(&item, where, p.boolean ? "expected true or false, as the other values are"
                                        : "expected text, as the other values are");
    if (std::find(p.labels.begin(), p.labels.end(), *label) != p.labels.end())
      r.fail_at(&item, where, (p.boolean ? *label : "'" + *label + "'") + " is listed twice");
    p.labels.push_back(*label);
    p.values.push_back(double(i));
  }
  return true;
}

SweepParameter read_parameter(TableReader& r, DesignKind design) {
  SweepParameter p;
  p.key = r.text("key", std::nullopt);
  if (p.key == "scenario.steps" || p.key == "scenario.seed")
    r.fail_at(r.node("key"), "key", "'" + p.key + "' is set by the sweep itself ([sweep] steps, seed)");
  p.name = r.text("name", column_name(p.key));
  if (r.has("values")) {
    if (!read_levels(r, p)) {  // numbers
      p.kind = SweepParameter::Kind::values;
      p.values = read_numbers(r, "values");
    }
  } else if (r.has("range")) {
    std::vector<double> range = read_numbers(r, "range");
    if (range.size() != 2 || !(range[0] < range[1]))
      r.fail_at(r.node("range"), "range", "expected [low, high] with low < high");
    p.lo = range[0];
    p.hi = range[1];
    if (design == DesignKind::grid) {
      const auto steps = r.integer("steps", 2, 100000, std::nullopt);
      p.kind = SweepParameter::Kind::values;
      for (std::int64_t i = 0; i < steps; ++i) p.values.push_back(p.lo + (p.hi - p.lo) * double(i) / double(steps - 1));
    } else {
      const std::string d = r.one_of("distribution", {"uniform", "loguniform"}, std::string("uniform"));
      p.kind = d == "loguniform" ? SweepParameter::Kind::loguniform : SweepParameter::Kind::uniform;
      if (p.kind == SweepParameter::Kind::loguniform && p.lo <= 0)
        r.fail_at(r.node("range"), "range", "a log-uniform range must be positive");
    }
  } else if (r.has("mean")) {
    if (design == DesignKind::grid) r.fail_at(r.node("mean"), "mean", "a grid needs `values` or `range` with `steps`");
    p.kind = SweepParameter::Kind::normal;
    r.one_of("distribution", {"normal"}, std::string("normal"));
    p.mean = r.number("mean", {-1e12, 1e12}, std::nullopt);
    p.sd = r.number("sd", {0, 1e12, true}, std::nullopt);
  } else {
    r.fail_at(nullptr, "values", "give `values`, a `range` (with `steps` for a grid) or a normal `mean` and `sd`");
  }
  return p;
}

// Tries the parameter's lowest and highest values on the base scenario (for a list, its
// smallest and largest): each costs a full scenario load, before any run starts. A value
// in between that the model refuses fails its own runs (status 2, with the message).
void check_extremes(const SweepSpec& spec, const SweepParameter& p, const detail::ScenarioSource& source,
                    const toml::node* at, const std::string& where) {
  std::vector<double> tried;
  if (!p.labels.empty()) {
    tried = p.values;  // every label: text has no extremes
  } else if (p.kind == SweepParameter::Kind::values) {
    const auto [lo, hi] = std::minmax_element(p.values.begin(), p.values.end());
    tried = *lo == *hi ? std::vector<double>{*lo} : std::vector<double>{*lo, *hi};
  } else if (p.kind == SweepParameter::Kind::normal) {
    tried = {p.mean};
  } else {
    tried = {p.lo, p.hi};
  }
  for (double value : tried) {
    // The coordinate whose value is `value` (a list's entry, or a range's end).
    const std::string assignment = p.labels.empty() ? number_assignment(p.key, value) : p.assignment(
        (value + 0.5) / double(p.values.size()));
    ScenarioOverrides o;
    o.set = {assignment};
    o.developer_agents = spec.agents;
    o.steps = spec.steps;
    try {
      load_scenario(spec.base, o);
    } catch (const ScenarioError& e) {
      throw ScenarioError(source.location(at) + ": " + where + ": the base scenario refuses " + assignment +
                          ": " + e.what());
    }
  }
}

// A sweep of more runs than any machine runs is refused before its design is built (a
// grid of two 100,000-value parameters would otherwise take gigabytes first).
void check_size(const SweepSpec& spec, TableReader& root) {
  constexpr double most_runs = 100'000'000;
  const double P = double(spec.parameters.size());
  double points = spec.design == DesignKind::saltelli ? double(spec.samples) * (P + 2) : double(spec.samples);
  if (spec.design == DesignKind::grid) {
    points = 1;
    for (const SweepParameter& p : spec.parameters) points *= double(p.levels());
  }
  const double runs = points * double(spec.replicates);
  if (runs > most_runs) {
    std::ostringstream what;
    what.precision(3);
    what << "the design has " << runs << " runs (" << points << " points x " << spec.replicates
         << " replicates): more than 100,000,000";
    root.fail_at(root.node("sweep"), "sweep", what.str());
  }
}

DesignKind read_design(TableReader& r) {
  const std::string d = r.one_of("design", {"grid", "random", "latin_hypercube", "sobol", "saltelli"}, std::nullopt);
  return d == "grid" ? DesignKind::grid
         : d == "random" ? DesignKind::random
         : d == "latin_hypercube" ? DesignKind::latin_hypercube
         : d == "sobol" ? DesignKind::sobol
                        : DesignKind::saltelli;
}

}  // namespace

double SweepParameter::value_at(double u) const {
  switch (kind) {
    case Kind::values: return values[std::min<std::size_t>(values.size() - 1, std::size_t(u * double(values.size())))];
    case Kind::uniform: return lo + u * (hi - lo);
    case Kind::loguniform: return std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo)));
    case Kind::normal: {
      // Design coordinates lie in [0, 1); keep them off 0 for the quantile.
      const double q = std::clamp(u, 1e-12, 1 - 1e-12);
      return boost::math::quantile(boost::math::normal_distribution<double>(mean, sd), q);
    }
  }
  return 0;
}

std::string SweepParameter::assignment(double u) const {
  const double value = value_at(u);
  if (labels.empty()) return number_assignment(key, value);
  if (boolean) return key + "=" + labels[std::size_t(value)];
  // A TOML basic string: the label with its quotes and backslashes escaped.
  std::string quoted = "\"";
  for (char ch : labels[std::size_t(value)]) {
    if (ch == '"' || ch == '\\') quoted += '\\';
    quoted += ch;
  }
  return key + "=" + quoted + "\"";
}

SweepSpec load_sweep(const std::string& path) {
  detail::ScenarioSource source{path, {}, {}};
  toml::table table = detail::read_scenario_file(path, source);
  TableReader root(table, "", source);
  SweepSpec spec;
  spec.path = path;
  TableReader s(root.table("sweep", true), "sweep", source);
  std::filesystem::path base(s.text("base", std::nullopt));
  if (base.is_relative()) base = std::filesystem::path(source.file_of(s.node("base"))).parent_path() / base;
  spec.base = base.lexically_normal().string();
  if (auto problem = detail::unreadable_file(spec.base))
    s.fail_at(s.node("base"), "base", "cannot read the base scenario: " + *problem + ": " + spec.base);
  spec.name = s.output_name("name", std::filesystem::path(path).stem().string());
  spec.design = read_design(s);
  const bool sized = spec.design != DesignKind::grid;
  spec.samples = static_cast<int>(s.integer("samples", 1, 10'000'000, sized ? std::nullopt : std::optional<std::int64_t>(0)));
  spec.replicates = static_cast<int>(s.integer("replicates", 1, 1'000'000, 1));
  spec.seed = static_cast<std::uint64_t>(s.integer("seed", 0, INT64_MAX / 2, 1));
  if (s.has("agents")) spec.agents = s.integer("agents", 1, 1'000'000'000'000, std::nullopt);
  if (s.has("steps")) spec.steps = s.integer("steps", 1, 12'000, std::nullopt);
  s.done();

  toml::array& parameters = root.array_of_tables("parameters", true);
  if (parameters.empty()) root.fail_at(&parameters, "parameters", "a sweep needs at least one parameter");
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string where = "parameters[" + std::to_string(i) + "]";
    TableReader r(*parameters[i].as_table(), where, source);
    SweepParameter p = read_parameter(r, spec.design);
    for (const SweepParameter& q : spec.parameters)
      if (q.name == p.name) r.fail_at(r.node("name"), "name", "two parameters are named '" + p.name + "'");
    r.done();
    check_extremes(spec, p, source, parameters[i].as_table()->get("key"), where + ".key");
    spec.parameters.push_back(std::move(p));
  }
  check_size(spec, root);
  root.done();
  std::ostringstream text;
  text << toml::toml_formatter(table);
  spec.resolved_toml = text.str();
  return spec;
}

}  // namespace stackrace
