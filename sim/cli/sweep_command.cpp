// stackrace sweep: every run of a sweep file's design into one checkpointed result file.
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include <tbb/global_control.h>

#include "sim/cli/commands.hpp"
#include "sim/cli/interrupt.hpp"
#include "sim/cli/progress_bar.hpp"
#include "sim/sweep/mpi_sweep.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "sim/cli/system_memory.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace::cli {

void add_sweep_command(CLI::App& app, SweepOptions& o) {
  CLI::App* cmd = app.add_subcommand("sweep", "Run every variant and replicate of a sweep file into one result file");
  cmd->add_option("sweep", o.sweep, "Sweep file (TOML)")->required();
  cmd->add_option("-o,--output", o.output, "Result file; default: results/<sweep-name>.h5");
  cmd->add_option("--threads", o.threads, "Worker threads; 0 uses every core (results do not depend on it)")
      ->check(CLI::Range(0, 4096));
  cmd->add_flag("--resume", o.resume, "Finish an interrupted sweep: run only what its file still lacks");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress bar and no summary; only the last line");
  cmd->footer(std::string("Across a cluster: mpirun -np N stackrace sweep SWEEP.toml (rank 0 writes, the others run). "
                          "MPI support in this build: ") +
              (mpi_built_in() ? "yes" : "no"));
}

int sweep_command(const SweepOptions& o) {
  // Under mpirun every rank runs this; rank 0 writes the file and alone speaks.
  std::unique_ptr<MpiJob> mpi;
  if (launched_by_mpi()) mpi = std::make_unique<MpiJob>();
  const bool writer_rank = !mpi || mpi->rank() == 0;
  SweepSpec spec;
  try {
    spec = load_sweep(o.sweep);
  } catch (const ScenarioError& e) {
    if (writer_rank) std::cerr << e.what() << '\n';
    return exit_bad_input;
  }
  std::unique_ptr<tbb::global_control> threads;
  if (o.threads > 0)
    threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);
  const std::atomic<bool>& sweep_stop = stop_on_interrupt();
  ProgressBar progress(spec.name, o.quiet || !writer_rank);
  SweepConfig config{o.output.empty() ? "results/" + spec.name + ".h5" : o.output, o.resume, &sweep_stop,
                     [&](long done, long total) { progress.update(done, total); },
                     available_memory_bytes().value_or(0)};
  try {
    int rank = 0;
    SweepOutcome r = mpi ? run_sweep_mpi(spec, config, rank) : run_sweep(spec, config);
    if (rank != 0) return exit_ok;
    progress.finish();
    const bool stopped = sweep_stop.load() && r.pending > 0;
    if (!o.quiet)
      std::cout << "Sweep " << spec.name << ": " << r.done << " runs done, " << r.failed << " failed, " << r.pending
                << " pending" << (stopped ? " (interrupted: finish with --resume)" : "") << "\nResults written to "
                << config.output << '\n';
    std::cout << "runs=" << r.runs << " done=" << r.done << " failed=" << r.failed << " pending=" << r.pending
              << " seconds=" << r.seconds << " runs_per_hour=" << (r.seconds > 0 ? 3600.0 * r.ran_now / r.seconds : 0)
              << " output=" << config.output << std::endl;
    return stopped ? exit_interrupted : exit_ok;
  } catch (const ScenarioError& e) {
    if (writer_rank) std::cerr << e.what() << '\n';
    return exit_bad_input;
  } catch (const WriterFailed&) {
    return exit_failed;  // the writer rank says why
  } catch (const OutputError& e) {
    return report(e);
  } catch (const std::exception& e) {
    std::cerr << "stackrace: sweep failed: " << e.what() << '\n';
    return exit_failed;
  }
}

}  // namespace stackrace::cli
