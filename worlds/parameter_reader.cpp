#include "worlds/detail/parameter_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "worlds/scenario_error.hpp"
#include "worlds/scenario_loader.hpp"

namespace stackrace::detail {

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

namespace {

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

}  // namespace

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

void check_extremes(const std::string& base, std::optional<std::int64_t> agents, std::optional<std::int64_t> steps,
                    const SweepParameter& p, const ScenarioSource& source, const toml::node* at,
                    const std::string& where) {
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
    o.developer_agents = agents;
    o.steps = steps;
    o.file_checked = true;  // the base as written is checked on its own
    try {
      load_scenario(base, o);
    } catch (const ScenarioError& e) {
      throw ScenarioError(source.location(at) + ": " + where + ": the base scenario refuses " + assignment +
                          ": " + e.what());
    }
  }
}

}  // namespace stackrace::detail
