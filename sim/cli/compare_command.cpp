// stackrace compare: a base and an alternative scenario over replicate seeds, with
// common random numbers, into one result file, and the change in each stack's share
// at the end with confidence intervals (95% unless told otherwise), computed once for
// every month, country, kind and stack, written into the file and printed from there.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <csignal>
#include <map>
#include <memory>

#include <tbb/global_control.h>

#include "sim/cli/commands.hpp"
#include "sim/cli/posterior_runs.hpp"
#include "sim/cli/exact_range.hpp"
#include "sim/cli/interrupt.hpp"
#include "sim/cli/progress_bar.hpp"
#include "sim/cli/run_summary.hpp"
#include "sim/cli/comparison.hpp"
#include "sim/io/result_file.hpp"
#include "sim/simulation.hpp"
#include "sim/cli/system_memory.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace::cli {
namespace {

// The same world underneath: countries and stacks must match for shares to compare.
void check_comparable(const ScenarioDocument& base_document, const ScenarioDocument& alt_document) {
  const Scenario &base = base_document.scenario, &alt = alt_document.scenario;
  const std::string &base_path = base_document.path, &alt_path = alt_document.path;
  auto ids = [](const auto& items) {
    std::vector<std::string> v;
    for (const auto& x : items) v.push_back(x.id);
    return v;
  };
  if (ids(base.countries) != ids(alt.countries))
    throw ScenarioError(alt_path + ":1:1: countries: not the same countries as " + base_path);
  if (ids(base.stacks) != ids(alt.stacks))
    throw ScenarioError(alt_path + ":1:1: stacks: not the same stacks as " + base_path);
  if (base.steps != alt.steps)
    throw ScenarioError(alt_path + ":1:1: scenario.steps: " + std::to_string(alt.steps) + " months, but " + base_path +
                        " has " + std::to_string(base.steps));
}

// With --draws alone both arms run over the base world's [posterior]; an alternative with
// another one would be compared at parameters it does not hold.
void check_same_posterior(const ScenarioDocument& base, const ScenarioDocument& alt, const CompareOptions& o) {
  if (!o.posterior.empty() || !o.draws) return;
  const auto &a = base.scenario.posterior, &b = alt.scenario.posterior;
  if (!b || a->file != b->file || a->keys != b->keys)
    throw ScenarioError(alt.path + ":1:1: posterior: not the same [posterior] as " + base.path +
                        ": name the draws both arms run over with --posterior");
}

struct Arms {
  std::vector<RunResult> base, alt;
};

// The table, from the effects the file holds: the world's change for every kind and
// stack, then the countries whose developers moved most.
void print_changes(const Scenario& s, const Arms& arms, const Effects& effects, int top) {
  const int end = s.steps;
  std::cout << "Change in share at " << month_after(s.start, end) << " (alternative - base), mean over "
            << arms.base.size() << " replicates with " << level_text(effects.confidence) << " confidence interval"
            << (effects.interval == Interval::paired ? " (paired: common random numbers)" : " (independent seeds)")
            << "\n\nWorld\n";
  for (AgentKind kind : all_agent_kinds)
    for (int k = 0; k < s.stack_count(); ++k)
      std::printf("  %-10s %-12s %s\n", std::string(agent_kind_name(kind)).c_str(), s.stacks[k].id.c_str(),
                  format_change(effects.global_at(end, kind, k)).c_str());
  // The countries whose developers moved most, by the largest change on any stack, among
  // those with enough developer agents that one agent's move is not a large share.
  std::vector<std::pair<double, int>> moved;
  for (int c = 0; c < s.country_count(); ++c) {
    if (arms.base.front().agents[std::size_t(c) * agent_kind_count + index_of(AgentKind::developer)] <
        min_ranked_developer_agents)
      continue;
    double largest = 0;
    for (int k = 0; k < s.stack_count(); ++k)
      largest = std::fmax(largest, std::fabs(effects.at(end, c, AgentKind::developer, k).mean));  // NaN: left out
    moved.emplace_back(largest, c);
  }
  std::stable_sort(moved.begin(), moved.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::cout << "\nThe " << std::min<int>(top, int(moved.size()))
            << " countries whose developers moved most (of those with at least " << min_ranked_developer_agents
            << " developer agents)\n";
  for (int i = 0; i < top && i < int(moved.size()); ++i) {
    const int c = moved[i].second;
    std::printf("  %-4s %-28s", s.countries[c].id.c_str(), s.countries[c].name.substr(0, 28).c_str());
    for (int k = 0; k < s.stack_count(); ++k)
      std::printf("  %s %s", s.stacks[k].id.c_str(), format_change(effects.at(end, c, AgentKind::developer, k)).c_str());
    std::printf("\n");
  }
}

// The world's change at the end, its uncertainty split: the parameters' (the 90% range
// of the draws' mean effects, and their sd) and the model's own noise (a pair's sd).
void print_spread(const Scenario& s, const SpreadColumns& spread, int draws, int replicates) {
  const int end = s.steps, K = s.stack_count();
  std::cout << "\nWorld, over " << draws << " posterior draws x " << replicates
            << " replicates: the parameters' uncertainty (90% of the draws' mean changes; sd) and the model's noise "
               "(sd of one replicate pair's change)\n";
  for (AgentKind kind : all_agent_kinds)
    for (int k = 0; k < K; ++k) {
      const std::size_t cell = (std::size_t(end) * agent_kind_count + index_of(kind)) * K + k;
      std::printf("  %-10s %-12s draws [%+.2f, %+.2f] pp, parameter sd %.2f pp, noise sd %.2f pp\n",
                  std::string(agent_kind_name(kind)).c_str(), s.stacks[k].id.c_str(), 100 * spread.draw_low[cell],
                  100 * spread.draw_high[cell], 100 * spread.parameter_sd[cell], 100 * spread.noise_sd[cell]);
    }
}

}  // namespace

void add_compare_command(CLI::App& app, CompareOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "compare", "Run a base and an alternative scenario with common random numbers and compare their shares");
  cmd->add_option("base", o.base, "Base scenario (TOML)")->required();
  cmd->add_option("alternative", o.alternative, "Alternative scenario (TOML)")->required();
  cmd->add_option("-r,--replicates", o.replicates, "Replicate runs of each scenario")->check(CLI::Range(2, 100000));
  cmd->add_option("--seed", o.seed, "First seed; replicate i uses seed + i in both scenarios")
      ->check(exact_range(0, largest_seed));
  cmd->add_option("-o,--output", o.output, "Result file; default: results/compare-<base>-<alternative>.h5");
  cmd->add_option("--threads", o.threads, "Worker threads; 0 uses every core")->check(CLI::Range(0, 4096));
  cmd->add_option("--agents", o.agents, "Developer agents in all; firms scale with them")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000'000}));
  cmd->add_option("--steps", o.steps, "Months to simulate")->check(CLI::Range(std::int64_t{1}, std::int64_t{12'000}));
  cmd->add_option("--set", o.set, "Override a key in both scenarios, e.g. --set scenario.steps=60")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--top", o.top, "Countries to list")->check(CLI::Range(0, 1000));
  cmd->add_option("--confidence", o.confidence,
                  "Level of the confidence intervals written and printed (default " + level_text(default_confidence) +
                      ")")
      ->check(CLI::Validator(
          [](std::string& text) {
            const double level = std::strtod(text.c_str(), nullptr);
            return level > 0 && level < 1 ? std::string() : "a level between 0 and 1 (exclusive), e.g. 0.9";
          },
          "LEVEL"));
  cmd->add_flag("--independent-seeds", o.independent_seeds,
                "Give the alternative its own seeds (to see what common random numbers save)");
  cmd->add_option("--posterior", o.posterior,
                  "A calibration file (stackrace calibrate) or table of draws: run both arms over --draws posterior "
                  "draws, --replicates each, and split the effect's uncertainty into the parameters' and the model's "
                  "noise");
  cmd->add_option("--draws", o.draws,
                  "Posterior draws (default 20); without --posterior, the draws of the base world's own [posterior]")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("-q,--quiet", o.quiet, "No progress bar and no table; only the last line");
}

int compare_command(const CompareOptions& o) {
  ScenarioDocument base_document, alt_document;
  try {
    ScenarioOverrides overrides{o.set, o.agents, o.steps, std::nullopt, available_memory_bytes()};
    base_document = read_scenario(o.base, overrides);
    alt_document = read_scenario(o.alternative, overrides);
    check_comparable(base_document, alt_document);
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  }
  if ((!o.posterior.empty() || o.draws) && o.independent_seeds) {
    std::cerr << "stackrace: compare: --posterior and --draws pair each draw's runs across the arms; it does not take "
                 "--independent-seeds\n";
    return exit_bad_input;
  }
  PosteriorRuns posterior;
  try {
    posterior = posterior_runs(o.posterior, o.draws, CompareOptions::default_draws, base_document.scenario);
    check_same_posterior(base_document, alt_document, o);
  } catch (const OutputError& e) {
    return report(e);
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  }
  // Each arm's World is built once; its replicates differ only in their seeds. Over a
  // posterior, each draw of each arm is a World of its own, built as its runs come.
  const std::array<World, 2> worlds{build_world(base_document.scenario), build_world(alt_document.scenario)};
  const Scenario &base = worlds[0].scenario, &alt = worlds[1].scenario;
  const ScenarioOverrides overrides{o.set, o.agents, o.steps, std::nullopt, available_memory_bytes()};
  const std::string output =
      o.output.empty() ? "results/compare-" + base.name + "-" + alt.name + ".h5" : o.output;
  std::unique_ptr<tbb::global_control> threads;
  if (o.threads > 0)
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);
  const std::atomic<bool>& compare_stop = stop_on_interrupt();

  const int R = o.replicates, D = posterior.count(), per_arm = D * R;
  try {
    std::map<std::string, std::string> attributes{{"command", "compare"},
                                                  {"base_file", o.base},
                                                  {"alternative_file", o.alternative},
                                                  {"common_random_numbers", o.independent_seeds ? "false" : "true"}};
    if (posterior.any()) attributes["posterior"] = posterior.file;
    ResultWriter writer(output, base, base_document.resolved_toml, 2 * per_arm, attributes);
    std::vector<std::int64_t> scenario_of_run, replicate;
    for (int arm = 0; arm < 2; ++arm)
      for (int i = 0; i < per_arm; ++i) scenario_of_run.push_back(arm), replicate.push_back(i % R);
    writer.write_comparison({base.name, alt.name}, {base_document.resolved_toml, alt_document.resolved_toml}, scenario_of_run, replicate);
    if (posterior.any()) write_posterior_columns(writer, posterior, R, 2, false);
    ProgressBar progress("compare", o.quiet);
    Arms arms;
    for (int arm = 0; arm < 2; ++arm) {
      const std::string& file = arm == 0 ? o.base : o.alternative;
      for (int d = 0; d < D; ++d) {
        const World drawn = posterior.any() ? posterior_world(file, overrides, posterior, d) : World{};
        for (int i = 0; i < R; ++i) {
          // Run k of an arm (replicate i of draw d) has seed + k and its streams keyed by
          // k: the same numbers in both arms (common random numbers), other numbers in
          // every other run, so that draws differ by their parameters and their own noise.
          const int k = d * R + i;
          const auto seed = static_cast<std::uint64_t>(o.seed + k + (arm == 1 && o.independent_seeds ? per_arm : 0));
          const int run = arm * per_arm + k;
          RunResult result = simulate(posterior.any() ? drawn : worlds[arm], RunConfig{seed, k, {}, &compare_stop});
          writer.write_run(run, result);
          (arm == 0 ? arms.base : arms.alt).push_back(std::move(result));
          progress.update(run + 1, 2 * per_arm);
        }
      }
    }
    progress.finish();
    const Effects effects = compare_effects(arms.base, arms.alt,
                                            o.independent_seeds ? Interval::welch : Interval::paired,
                                            o.confidence.value_or(default_confidence));
    writer.write_effects(effects.local, effects.global, effects.confidence, effects.interval);
    std::optional<SpreadColumns> spread;
    if (posterior.any()) {
      spread = posterior_spread(arms.base, arms.alt, D, R);
      writer.write_posterior_spread(*spread, D);
    }
    writer.commit();
    if (!o.quiet) {
      print_changes(base, arms, effects, o.top);
      if (spread) print_spread(base, *spread, D, R);
      std::cout << "Results written to " << output << '\n';
    }
    std::cout << "runs=" << 2 * per_arm << " replicates=" << R << (posterior.any() ? " draws=" + std::to_string(D) : "")
              << " output=" << output << std::endl;
    return exit_ok;
  } catch (...) {
    return report_failure("compare", output);
  }
}

}  // namespace stackrace::cli
