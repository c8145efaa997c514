// stackrace calibrate: fits a scenario's parameters to the record by ABC-SMC
// (sim/calibrate/abc_smc.hpp) into one checkpointed calibration file.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>

#include <tbb/global_control.h>

#include "sim/calibrate/calibration_runner.hpp"
#include "sim/calibrate/mpi_calibration.hpp"
#include "sim/calibrate/particle_simulator.hpp"
#include "sim/calibrate/recovery_check.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/interrupt.hpp"
#include "sim/sweep/mpi_sweep.hpp"
#include "worlds/calibration_spec.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace::cli {
namespace {

std::string duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  std::ostringstream text;
  if (s >= 3600) text << s / 3600 << "h" << std::setw(2) << std::setfill('0') << (s % 3600) / 60 << "m";
  else if (s >= 60) text << s / 60 << "m" << std::setw(2) << std::setfill('0') << s % 60 << "s";
  else text << s << "s";
  return text.str();
}

// One line per step: the generation, its tolerance, the budget spent and, at this pace,
// the most time the rest of it can take (the sampler often ends before).
void report_step(const CalibrationProgress& p) {
  const double rate = p.seconds > 0 ? double(p.simulations - p.at_start) / p.seconds : 0;
  std::cerr << "generation " << p.generation << "  tolerance " << std::setprecision(3) << p.tolerance
            << "  simulations " << p.simulations << "/" << p.budget << "  " << duration(p.seconds);
  if (rate > 0) std::cerr << "  at most " << duration(double(p.budget - p.simulations) / rate) << " left";
  std::cerr << std::endl;
}

// Simulation-based calibration: per dataset, the truth's rank among the posterior's
// particles and whether its 90% interval holds it; at the end the coverage of the 50%
// and 90% intervals over every dataset and parameter.
int recovery_command(const CalibrationSpec& spec, const CalibrateOptions& o, const std::atomic<bool>& stop,
                     bool speaker) {
  const auto begin = std::chrono::steady_clock::now();
  try {
    const std::vector<RecoveredDataset> results =
        check_recovery(spec, o.check, &stop, [&](int d, const RecoveredDataset& r) {
          if (o.quiet) return;
          int inside = 0;
          for (bool b : r.inside90) inside += b;
          std::cerr << "dataset " << d << ": tolerance " << std::setprecision(3) << r.tolerance << ", "
                    << r.simulations << " simulations, truth inside the 90% interval for " << inside << " of "
                    << r.inside90.size() << " parameters" << std::endl;
        });
    double in90 = 0, in50 = 0, total = 0, width = 0;
    int converged = 0;
    for (const RecoveredDataset& r : results) {
      converged += r.converged;
      for (std::size_t p = 0; p < r.inside90.size(); ++p)
        in90 += r.inside90[p], in50 += r.inside50[p], width += r.width90[p], ++total;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (!speaker) return exit_ok;
    if (!o.quiet) {
      std::cout << "Recovery check of " << spec.name << ": " << results.size() << " synthetic datasets, "
                << converged << " reached tolerance 1\nparameter  coverage90  coverage50  mean_rank  width90\n";
      for (std::size_t p = 0; p < spec.parameters.size(); ++p) {
        double c90 = 0, c50 = 0, rank = 0, width = 0;
        for (const RecoveredDataset& r : results)
          c90 += r.inside90[p], c50 += r.inside50[p], rank += r.rank[p], width += r.width90[p];
        const double n = double(results.size());
        std::cout << spec.parameters[p].name << "  " << c90 / n << "  " << c50 / n << "  " << rank / n << "  "
                  << width / n << '\n';
      }
    }
    std::cout << "datasets=" << results.size() << " converged=" << converged << " coverage90=" << in90 / total
              << " coverage50=" << in50 / total << " width90=" << width / total << " seconds=" << seconds << std::endl;
    return exit_ok;
  } catch (const CalibrationInterrupted&) {
    if (speaker) std::cerr << "stackrace: calibrate --check interrupted\n";
    return exit_interrupted;
  } catch (const ScenarioError& e) {
    if (speaker) std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "stackrace: calibrate --check failed: " << e.what() << '\n';
    return exit_failed;
  }
}

}  // namespace

void add_calibrate_command(CLI::App& app, CalibrateOptions& o) {
  CLI::App* cmd = app.add_subcommand("calibrate", "Fit a scenario's parameters to the record (ABC-SMC) into one file");
  cmd->add_option("calibration", o.calibration, "Calibration file (TOML)")->required();
  cmd->add_option("-o,--output", o.output, "Calibration file to write; default: results/<calibration-name>.h5");
  cmd->add_option("--threads", o.threads, "Worker threads; 0 uses every core (results do not depend on it)")
      ->check(CLI::Range(0, 4096));
  cmd->add_flag("--resume", o.resume, "Finish an interrupted calibration from its last checkpoint");
  cmd->add_option("--particles", o.particles, "Particles (overrides the file's; for a quick, rougher look)")
      ->check(CLI::Range(10, 1'000'000));
  cmd->add_option("--simulations", o.simulations, "Simulation budget (overrides the file's)")
      ->check(CLI::Range(std::int64_t{10}, std::int64_t{1'000'000'000}));
  cmd->add_option("--check", o.check,
                  "Instead of fitting the record: check that the calibration recovers known parameters on N "
                  "synthetic datasets (simulation-based calibration); prints the coverage of its intervals")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("-q,--quiet", o.quiet, "No progress and no summary; only the last line");
  cmd->footer(std::string("Across a cluster: mpirun -np N stackrace calibrate CAL.toml (each step's simulations are "
                          "split across the ranks; rank 0 writes). MPI support in this build: ") +
              (mpi_built_in() ? "yes" : "no"));
}

int calibrate_command(const CalibrateOptions& options) {
  // Under mpirun every rank runs the sampler; rank 0 writes the file and alone speaks.
  std::unique_ptr<MpiJob> mpi;
  if (launched_by_mpi()) mpi = std::make_unique<MpiJob>();
  const bool speaker = !mpi || mpi->rank() == 0;
  CalibrateOptions o = options;
  o.quiet = o.quiet || !speaker;
  CalibrationSpec spec;
  std::string refused;
  try {
    spec = load_calibration(o.calibration, CalibrationOverrides{o.particles, o.simulations});
  } catch (const ScenarioError& e) {
    refused = e.what();
  }
  // Every rank reads the files; where some cannot (a file system not shared alike), each
  // says why rather than leave the others waiting.
  const int refusing = ranks_with(!refused.empty());
  if (refusing > 0) {
    if (!refused.empty() && (speaker || refusing < calibration_ranks()))
      std::cerr << (speaker ? "" : "rank " + std::to_string(mpi->rank()) + ": ") << refused << '\n';
    return exit_bad_input;
  }
  std::unique_ptr<tbb::global_control> threads;
  if (o.threads > 0)
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);
  const std::atomic<bool>& stop = stop_on_interrupt();
  if (o.check > 0) return recovery_command(spec, o, stop, speaker);
  CalibrationConfig config{o.output.empty() ? "results/" + spec.name + ".h5" : o.output, o.resume, &stop,
                           [&](const CalibrationProgress& p) {
                             if (!o.quiet) report_step(p);
                           }};
  if (!o.quiet) {
    int fitted = 0;
    for (const CalibrationTarget& t : spec.targets) fitted += t.fitted;
    std::cerr << "Calibrating " << spec.parameters.size() << " parameters of " << spec.scenario << " to " << fitted
              << " targets (" << spec.targets.size() - fitted << " held out) with " << spec.particles
              << " particles, at most " << spec.simulations << " simulations" << std::endl;
    for (const CalibrationSpec::Skipped& s : spec.skipped) std::cerr << "  left out " << s.id << ": " << s.why << '\n';
  }
  try {
    const CalibrationOutcome r = run_calibration(spec, config);
    if (!speaker) return r.interrupted ? exit_interrupted : exit_ok;
    if (!o.quiet)
      std::cout << "Calibration " << spec.name << ": " << r.generations << " generations, tolerance " << r.tolerance
                << (r.converged ? " (the posterior)" : r.interrupted ? " (interrupted: finish with --resume)"
                                                                     : " (budget spent before tolerance 1)")
                << "\nResults written to " << config.output << '\n';
    std::cout << "generations=" << r.generations << " tolerance=" << r.tolerance << " converged=" << r.converged
              << " simulations=" << r.simulations << " failed=" << r.failed << " seconds=" << r.seconds
              << " simulations_per_hour=" << (r.seconds > 0 ? 3600.0 * double(r.ran_now) / r.seconds : 0)
              << " output=" << config.output << std::endl;
    return r.interrupted ? exit_interrupted : exit_ok;
  } catch (const CalibrationStartFailed& e) {
    return e.status;  // rank 0 (or the rank that failed) says why
  } catch (const ScenarioError& e) {
    if (speaker) std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (...) {
    return report_failure("calibrate", config.output);
  }
}

}  // namespace stackrace::cli
