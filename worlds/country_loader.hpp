#pragma once
#include "worlds/detail/table_reader.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// Reads the countries of a scenario: the rows of the country table named by
// `[world] countries_table` (turned into agents' attributes and starting shares by the
// documented rules of `[world]`), then `[country_defaults]`, then `[[countries]]`
// entries, which override table rows with the same id or add countries.
void read_countries(detail::TableReader& root, Scenario& s, detail::ScenarioSource& file);

// For the resolved scenario text: the countries as read — table rows, rules and
// overrides applied — replace the `[[countries]]` entries, and the table is no longer
// named, so that the text is the whole experiment on its own.
void write_resolved_countries(toml::table& root, const Scenario& s);

}  // namespace stackrace
