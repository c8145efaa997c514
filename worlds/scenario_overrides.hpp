#pragma once
#include <map>
#include <string>

#include <toml++/toml.h>

#include "worlds/detail/table_reader.hpp"

namespace stackrace::detail {

// Applies `--set dotted.key=VALUE` to a parsed scenario. A path segment that names an
// array of tables picks an element by its index (`stacks.1.price`) or by its `id`
// (`countries.USA.developers`). A country that no `[[countries]]` element names may be a
// row of the country table: `countries.ID` then adds the element `{ id = "ID" }` (and the
// array, where the scenario has none), which the loader lays over the row, and enters it
// in `source.table_countries_set`, so that the loader refuses an id the table lacks.
// VALUE is parsed as a TOML value and taken as a plain string when it is not one, so
// `--set scenario.name=test` works unquoted. Every node it makes (the value, and any
// table it had to create on the way) is entered in `source.origins` with `origin`, so
// that errors about them point at the `--set` text.
void apply_override(toml::table& root, const std::string& assignment, const std::string& origin,
                    ScenarioSource& source);

// The node a dotted key names in `root`, walked as apply_override walks it (an array
// element by index or id); nullptr where there is none.
const toml::node* find_key(const toml::table& root, const std::string& key);

}  // namespace stackrace::detail
