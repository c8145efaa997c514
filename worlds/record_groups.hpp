#pragma once
// What a record target names, in a scenario's terms: a stack or a group of stacks
// (`open`: open weights; `us`, `cn`: a bloc's), a country or a group of countries
// (`WLD`: all; `EU27`: the European Union's members as of 2023). The Python side
// (stackrace.groups, stackrace.record.GROUPS) reads the same names the same way.
#include <string>
#include <vector>

#include "model/scenario.hpp"

namespace stackrace {

// The stacks `name` covers, in index order; empty where it names none.
std::vector<int> stacks_of(const Scenario& s, const std::string& name);
// The countries `name` covers, in index order; empty where it names none.
std::vector<int> countries_of(const Scenario& s, const std::string& name);

}  // namespace stackrace
