#pragma once
// Calibrations across the ranks of an MPI job (`mpirun -np N stackrace calibrate
// CAL.toml`). Every rank runs the same sampler on the same state; each step's batch of
// simulations is split across the ranks (simulation j of the batch on rank j mod N, its
// agents over that rank's cores), and every rank gathers every result, so all ranks
// hold the same particles after every step and rank 0 alone writes the checkpoints. The
// sampler never sees the split: a calibration's file is the same, bit for bit, on any
// number of ranks and threads. A batch's results are small (a distance and a summary
// per target), so the gather costs nothing next to the simulations.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>

#include "sim/calibrate/abc_smc.hpp"

namespace stackrace {

// This process's rank and the job's size (0 and 1 outside an MPI job, or in a build
// without MPI).
int calibration_rank();
int calibration_ranks();

// How many ranks pass `flag` (a collective call: every rank must make it); `flag` itself
// outside an MPI job.
int ranks_with(bool flag);
// The sum of `n` over the ranks (a collective call); `n` outside an MPI job.
std::int64_t summed_over_ranks(std::int64_t n);
// Whether any rank's `stop` is set (a collective call): the ranks stop together, or none.
bool stop_agreed(const std::atomic<bool>* stop);

// The batch spread over the job's ranks: this rank runs its share with `on_this_rank`,
// and every rank returns all of the batch's results, in order. When a simulation is
// interrupted on any rank, every rank throws CalibrationInterrupted; any other failure
// ends the job (end_job). `targets` is the length of every simulation's summary.
SimulateBatch across_ranks(SimulateBatch on_this_rank, std::size_t targets);

// Thrown on ranks 1..N-1 when rank 0 could not start the calibration (it says why);
// `status` is the exit status it ends with.
struct CalibrationStartFailed : std::runtime_error {
  explicit CalibrationStartFailed(int status);
  int status;
};

// Rank 0's start, as every rank learns it: rank 0 passes what went wrong (none: it
// started) and its exit status, and rethrows it; the others throw CalibrationStartFailed
// with that status. Does nothing outside an MPI job.
void share_start(std::exception_ptr why, int status);

// A failure on one rank once the sampler runs: the others may be waiting on it, so the
// whole job ends now (MPI_Abort, exit status 1) after this rank said why. Outside an MPI
// job, rethrows: call it only inside a handler.
[[noreturn]] void end_job(const std::exception& e);

}  // namespace stackrace
