// stackrace calibrate: fits a scenario's parameters to the record by ABC-SMC
// (sim/calibrate/abc_smc.hpp) into one checkpointed calibration file.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>

#include <tbb/global_control.h>

#include "sim/calibrate/calibration_runner.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/interrupt.hpp"
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
void report_step(const CalibrationProgress& p, std::int64_t at_start) {
  const double rate = p.seconds > 0 ? double(p.simulations - at_start) / p.seconds : 0;
  std::cerr << "generation " << p.generation << "  tolerance " << std::setprecision(3) << p.tolerance
            << "  simulations " << p.simulations << "/" << p.budget << "  " << duration(p.seconds);
  if (rate > 0) std::cerr << "  at most " << duration(double(p.budget - p.simulations) / rate) << " left";
  std::cerr << std::endl;
}

}  // namespace

void add_calibrate_command(CLI::App& app, CalibrateOptions& o) {
  CLI::App* cmd = app.add_subcommand("calibrate", "Fit a scenario's parameters to the record (ABC-SMC) into one file");
  cmd->add_option("calibration", o.calibration, "Calibration file (TOML)")->required();
  cmd->add_option("-o,--output", o.output, "Calibration file to write; default: results/<calibration-name>.h5");
  cmd->add_option("--threads", o.threads, "Worker threads; 0 uses every core (results do not depend on it)")
      ->check(CLI::Range(0, 4096));
  cmd->add_flag("--resume", o.resume, "Finish an interrupted calibration from its last checkpoint");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress and no summary; only the last line");
}

int calibrate_command(const CalibrateOptions& o) {
  CalibrationSpec spec;
  try {
    spec = load_calibration(o.calibration);
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  }
  std::unique_ptr<tbb::global_control> threads;
  if (o.threads > 0)
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);
  const std::atomic<bool>& stop = stop_on_interrupt();
  std::int64_t at_start = -1;
  CalibrationConfig config{o.output.empty() ? "results/" + spec.name + ".h5" : o.output, o.resume, &stop,
                           [&](const CalibrationProgress& p) {
                             if (at_start < 0) at_start = 0;
                             if (!o.quiet) report_step(p, at_start);
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
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (const OutputError& e) {
    return report(e);
  } catch (const std::exception& e) {
    std::cerr << "stackrace: calibrate failed: " << e.what() << '\n';
    return exit_failed;
  }
}

}  // namespace stackrace::cli
