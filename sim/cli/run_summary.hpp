#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "sim/io/result_file.hpp"
#include "sim/run_result.hpp"
#include "model/scenario.hpp"

namespace stackrace::cli {

// "2026-01" plus `months` months, as YYYY-MM.
std::string month_after(const std::string& start, int months);

// The world-wide share of each stack for each kind of agent, at the start and the end.
// Then usage: each kind's share of tokens on each AI stack, each firm sector's share on
// each stack, and each stack's months behind the frontier.
void print_run_summary(std::ostream& out, const Scenario& scenario, const RunResult& result);
void print_usage_summary(std::ostream& out, const Scenario& scenario, const RunResult& result);

// For each AI stack, the `count` countries whose developers use it most and least at
// the end, among countries with at least `min_agents` developer agents.
void print_country_extremes(std::ostream& out, const Scenario& scenario, const RunResult& result, int count = 10,
                            std::int64_t min_agents = min_ranked_developer_agents);

}  // namespace stackrace::cli
