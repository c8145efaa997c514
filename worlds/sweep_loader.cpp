#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "worlds/detail/input_file.hpp"
#include "worlds/detail/parameter_reader.hpp"
#include "worlds/detail/table_reader.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_extends.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/sweep_spec.hpp"

namespace stackrace {
namespace {

using detail::Bounds;
using detail::TableReader;

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
  if (labels.empty()) return detail::number_assignment(key, value);
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
  spec.base = detail::file_named(s, "base", source, "the base scenario");
  spec.name = s.output_name("name", std::filesystem::path(path).stem().string());
  spec.design = read_design(s);
  const bool sized = spec.design != DesignKind::grid;
  spec.samples = static_cast<int>(s.integer("samples", 1, 10'000'000, sized ? std::nullopt : std::optional<std::int64_t>(0)));
  spec.replicates = static_cast<int>(s.integer("replicates", 1, 1'000'000, 1));
  spec.seed = static_cast<std::uint64_t>(s.integer("seed", 0, largest_seed, 1));
  if (s.has("agents")) spec.agents = s.integer("agents", 1, 1'000'000'000'000, std::nullopt);
  if (s.has("steps")) spec.steps = s.integer("steps", 1, 12'000, std::nullopt);
  s.done();

  toml::array& parameters = root.array_of_tables("parameters", true);
  if (parameters.empty()) root.fail_at(&parameters, "parameters", "a sweep needs at least one parameter");
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const std::string where = "parameters[" + std::to_string(i) + "]";
    TableReader r(*parameters[i].as_table(), where, source);
    SweepParameter p = detail::read_parameter(r, spec.design);
    for (const SweepParameter& q : spec.parameters)
      if (q.name == p.name) r.fail_at(r.node("name"), "name", "two parameters are named '" + p.name + "'");
    r.done();
    detail::check_extremes(spec.base, spec.agents, spec.steps, p, source, parameters[i].as_table()->get("key"),
                           where + ".key");
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
