#pragma once
// Reading the parameters that sweeps vary and calibrations fit (`[[parameters]]`: a
// scenario key by dotted path, with values, a range or a normal distribution), shared
// by worlds/sweep_loader.cpp and worlds/calibration_loader.cpp.
#include <cstdint>
#include <optional>
#include <string>

#include "worlds/detail/table_reader.hpp"
#include "worlds/sweep_spec.hpp"

namespace stackrace::detail {

// A scenario key as a name of the output (`param_<name>`): every character that is not a
// letter or digit becomes `_`.
std::string column_name(const std::string& key);
// `key=value`, the value written with every digit it needs to read back exactly.
std::string number_assignment(const std::string& key, double value);
// One `[[parameters]]` entry. A grid turns a `range` into `steps` values; other designs
// (and calibrations, which pass DesignKind::random) keep it a uniform or log-uniform
// distribution.
SweepParameter read_parameter(TableReader& r, DesignKind design);
// Tries the parameter's lowest and highest values on the base scenario (for a list, its
// smallest and largest; for a normal, its mean): each costs a full scenario load, before
// any run starts. Throws ScenarioError at `at` naming `where` when the scenario refuses one.
void check_extremes(const std::string& base, std::optional<std::int64_t> agents, std::optional<std::int64_t> steps,
                    const SweepParameter& p, const ScenarioSource& source, const toml::node* at,
                    const std::string& where);

}  // namespace stackrace::detail
