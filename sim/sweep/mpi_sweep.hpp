#pragma once
// Sweeps across the ranks of an MPI job (`mpirun -np N stackrace sweep SWEEP.toml`).
// Rank 0 is the writer: it owns the one result file and hands out runs one at a time to
// whichever worker asks next (dynamic load balancing: long and short runs mix freely);
// ranks 1..N-1 run them, each spreading a run's agents over its cores with oneTBB, and
// send back the aggregates. A writer rank rather than parallel HDF5: the file is a
// checkpoint that must stay consistent when a job is killed, which single-writer SWMR
// gives and collective parallel writes do not; and each run's output (about a megabyte)
// is small next to its compute, so one writer keeps up with many workers.
#include <stdexcept>

#include "sim/sweep/sweep_runner.hpp"

namespace stackrace {

// True when this process was started by mpirun with more than one rank (and MPI support
// is built in).
bool launched_by_mpi();
// Whether this build has MPI support (Open MPI found at build time), for the commands'
// help.
bool mpi_built_in();

// MPI for the life of a sweep: initialised on construction, finalised on destruction.
class MpiJob {
 public:
  MpiJob();
  ~MpiJob();
  MpiJob(const MpiJob&) = delete;
  MpiJob& operator=(const MpiJob&) = delete;
  int rank() const { return rank_; }

 private:
  int rank_ = 0;
};

// Thrown on the worker ranks when the writer rank could not start the sweep for another
// reason than a refused scenario (the writer reports why).
struct WriterFailed : std::runtime_error {
  WriterFailed();
};

// Runs the sweep on this rank's part of the job; rank 0 returns the outcome, workers an
// empty one. When the sweep cannot start, every rank throws: the writer its own error,
// the workers ScenarioError where the writer's input was refused (a ScenarioError, or an
// OutputError refusing the file: exit status 2), else WriterFailed (1). A failure once
// runs are under way, on any rank, ends the whole job at once (MPI_Abort, exit status 1)
// after that rank printed why.
SweepOutcome run_sweep_mpi(const SweepSpec& spec, const SweepConfig& config, int& rank);

}  // namespace stackrace
