#pragma once
// A sweep: a base scenario, the parameters to vary (any scenario key by dotted path),
// the design that places the runs, replicates and the base seed. Read from TOML by
// load_sweep (worlds/README.md, "Sweeps").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stackrace {

enum class DesignKind { grid, random, latin_hypercube, sobol, saltelli };

struct SweepParameter {
  std::string key;   // dotted scenario key, e.g. choice.developer.switching_cost
  std::string name;  // the output's param_<name>
  enum class Kind { values, uniform, loguniform, normal } kind = Kind::uniform;
  std::vector<double> values;  // Kind::values (a grid over a range is expanded to values)
  // Kind::values given as text (a month, a mode such as "capped"): values holds their
  // codes 0, 1, ... (what the file's param_<name> stores) and labels the text set.
  std::vector<std::string> labels;
  bool boolean = false;  // labels are true/false, written as TOML booleans (a loop or rule on or off)
  double lo = 0, hi = 1;       // uniform, loguniform
  double mean = 0, sd = 1;     // normal

  // The parameter's value at design coordinate u in [0, 1) (for labels, the code).
  double value_at(double u) const;
  // The override that sets it there: `key=value`, or `key="label"`.
  std::string assignment(double u) const;
  int levels() const { return kind == Kind::values ? static_cast<int>(values.size()) : 0; }
};

struct SweepSpec {
  std::string name;
  std::string path;  // the sweep file
  std::string base;  // the base scenario file
  DesignKind design = DesignKind::grid;
  int samples = 0;   // points (random, Latin hypercube, Sobol) or base rows N (Saltelli)
  int replicates = 1;
  std::uint64_t seed = 1;  // replicate r of every point uses seed + r (common random numbers)
  std::optional<std::int64_t> agents;
  std::optional<std::int64_t> steps;
  std::vector<SweepParameter> parameters;
  std::string resolved_toml;  // the sweep with defaults filled in
};

// Reads and checks a sweep file; every parameter's extreme values are tried on the base
// scenario, so a value the model refuses is reported before anything runs. Throws
// ScenarioError (`FILE:LINE:COL: KEY: what is wrong`).
SweepSpec load_sweep(const std::string& path);

}  // namespace stackrace
