#pragma once
#include <ostream>
#include <string>

#include "sim/run_result.hpp"
#include "worlds/scenario.hpp"

namespace stackrace::cli {

// "2026-01" plus `months` months, as YYYY-MM.
std::string month_after(const std::string& start, int months);

// The world-wide share of each stack for each kind of agent, at the start and the end.
void print_run_summary(std::ostream& out, const Scenario& scenario, const RunResult& result);

}  // namespace stackrace::cli
