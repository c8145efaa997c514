#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include <tbb/global_control.h>

#include "sim/cli/commands.hpp"
#include "sim/cli/one_to_one.hpp"
#include "sim/cli/exact_range.hpp"
#include "sim/cli/interrupt.hpp"
#include "sim/cli/posterior_runs.hpp"
#include "sim/cli/progress_bar.hpp"
#include "sim/cli/run_summary.hpp"
#include "sim/cli/world_paths.hpp"
#include "sim/io/result_file.hpp"
#include "sim/simulation.hpp"
#include "sim/cli/system_memory.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace::cli {
namespace {

std::int64_t total_agents(const RunResult& r) {
  std::int64_t n = 0;
  for (std::int64_t a : r.agents) n += a;
  return n;
}

}  // namespace

void add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* cmd = app.add_subcommand("run", "Run a scenario and write its results to HDF5");
  cmd->add_option("scenario", o.scenario, "Scenario file (TOML); default: the shipped default world");
  cmd->add_option("-o,--output", o.output, "Result file; default: results/<scenario-name>.h5");
  cmd->add_option("-r,--replicates", o.replicates,
                  "Replicate runs, replicate i with seed + i (as compare's and sweeps' replicates)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", o.seed, "Random seed (overrides scenario.seed)")->check(exact_range(0, largest_seed));
  cmd->add_option("--threads", o.threads, "Worker threads; 0 uses every core (results do not depend on it)")
      ->check(CLI::Range(0, 4096));
  CLI::Option* agents = cmd->add_option("--agents", o.agents, "Developer agents in all; firms scale with them")
                            ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000'000}));
  cmd->add_flag("--one-to-one", o.one_to_one,
                "One agent per real developer and per real firm of the country table (each weighing one)")
      ->excludes(agents);
  cmd->add_option("--steps", o.steps, "Months to simulate (overrides scenario.steps)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{12'000}));
  cmd->add_option("--set", o.set, "Override a scenario key by its dotted path, e.g. --set choice.developer.revise=0.2")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--posterior", o.posterior,
                  "A calibration file (stackrace calibrate) or table of draws: run each of --draws posterior draws "
                  "(evenly spaced) --replicates times; run i of all has seed + i");
  cmd->add_option("--draws", o.draws,
                  "Posterior draws (default 50; at most the posterior's); without --posterior, the draws of the "
                  "world's own [posterior]")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_flag("-q,--quiet", o.quiet, "No progress bar and no summary; only the last line");
}

int run_command(const RunOptions& o) {
  const std::string path = o.scenario.empty() ? default_world() : o.scenario;
  ScenarioOverrides overrides{o.set, o.agents, o.steps, o.seed, available_memory_bytes()};
  ScenarioDocument document;
  PosteriorRuns posterior;
  try {
    if (o.one_to_one) overrides = one_agent_per_entity(path, overrides);
    document = read_scenario(path, overrides);
    posterior = posterior_runs(o.posterior, o.draws, RunOptions::default_draws, document.scenario);
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (const OutputError& e) {
    return report(e);
  }
  const World world = build_world(std::move(document.scenario));
  const Scenario& scenario = world.scenario;
  const std::string output = o.output.empty() ? "results/" + scenario.name + ".h5" : o.output;
  std::unique_ptr<tbb::global_control> threads;
  if (o.threads > 0)
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);
  const std::atomic<bool>& stop_requested = stop_on_interrupt();

  try {
    const int R = o.replicates;
    const int runs = R * posterior.count();
    std::map<std::string, std::string> attributes{
        {"command", "run"}, {"scenario_file", path}, {"threads", std::to_string(o.threads)}};
    if (posterior.any()) attributes["posterior"] = posterior.file;
    ResultWriter writer(output, scenario, document.resolved_toml, runs, attributes);
    if (posterior.any()) write_posterior_columns(writer, posterior, R, 1, true);
    ProgressBar progress(scenario.name, o.quiet);
    auto begin = std::chrono::steady_clock::now();
    std::optional<RunResult> first;
    for (int i = 0; i < runs; ++i) {
      // Run i with seed + i, its streams keyed by i, as compare's replicates (run 0 is the
      // single run's, bit for bit). Over a posterior, run i is replicate i % R of draw
      // i / R: every run its own random numbers, so that the draws' spread is the
      // parameters' and not one noise seen through all of them. A draw is a World of its
      // own: the scenario with the draw's values set.
      const std::uint64_t seed = scenario.seed + static_cast<std::uint64_t>(i);
      RunConfig config{seed, i, [&](int t, int steps) { progress.update(i * steps + t, runs * steps); },
                       &stop_requested};
      RunResult result = posterior.any() ? simulate(posterior_world(path, overrides, posterior, i / R), config)
                                         : simulate(world, config);
      writer.write_run(i, result);
      if (i == 0) first = std::move(result);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    progress.finish();
    writer.commit();

    if (!o.quiet) {
      if (runs > 1)
        std::cout << (posterior.any() ? "Replicate 0 of posterior draw 0" : "Replicate 0") << " of " << runs
                  << " runs (seed " << scenario.seed << "); the file holds all " << runs << ":\n";
      print_run_summary(std::cout, scenario, *first);
      print_country_extremes(std::cout, scenario, *first);
      std::cout << "Results written to " << output << '\n';
    }
    const std::int64_t agents = total_agents(*first);
    std::cout << "agents=" << agents << " steps=" << scenario.steps << (R > 1 ? " replicates=" + std::to_string(R) : "")
              << (posterior.any() ? " draws=" + std::to_string(posterior.particle.size()) : "")
              << " seconds=" << seconds << " agent_steps_per_s=" << static_cast<double>(agents) * scenario.steps * runs / seconds
              << " output=" << output << std::endl;
    return exit_ok;
  } catch (...) {
    return report_failure("run", output);
  }
}

}  // namespace stackrace::cli
