#pragma once
#include <string>

#include <toml++/toml.h>

namespace stackrace::detail {

// Applies `--set dotted.key=VALUE` to a parsed scenario. A path segment that names an
// array of tables picks an element by its index (`stacks.1.price`) or by its `id`
// (`countries.USA.developers`). VALUE is parsed as a TOML value and taken as a plain
// string when it is not one, so `--set scenario.name=test` works unquoted. The new
// node's source is the `--set` text itself, so errors about it point there.
void apply_override(toml::table& root, const std::string& assignment, const std::string& origin);

}  // namespace stackrace::detail
