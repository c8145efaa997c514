#pragma once
#include <string>

#include <toml++/toml.h>

#include "worlds/detail/table_reader.hpp"

namespace stackrace::detail {

// Reads a scenario file and, when it says `extends = "BASE.toml"` (a path relative to
// it), the scenario it builds on, recursively. The file's keys are laid over the base:
// tables merge key by key, `[[policies]]` entries are appended to the base's, and every
// other value (arrays included) replaces the base's. The result has no `extends` key:
// it is the whole experiment. Errors keep pointing at the file and line a key was
// written in. Throws ScenarioError.
toml::table read_scenario_file(const std::string& path, ScenarioSource& source);

}  // namespace stackrace::detail
