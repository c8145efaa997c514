#include "sim/sweep/mpi_sweep.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <numeric>

#include "sim/sweep/detail/sweep_parts.hpp"
#include "sim/sweep/run_message.hpp"
#include "sim/io/output_error.hpp"
#include "worlds/scenario_error.hpp"

#ifdef STACKRACE_MPI
#include <mpi.h>
#endif

namespace stackrace {

bool launched_by_mpi() {
#ifdef STACKRACE_MPI
  for (const char* size : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* n = std::getenv(size); n && std::atoi(n) > 1) return true;
#endif
  return false;
}

bool mpi_built_in() {
#ifdef STACKRACE_MPI
  return true;
#else
  return false;
#endif
}

WriterFailed::WriterFailed() : std::runtime_error("the writer rank could not start the sweep") {}

#ifndef STACKRACE_MPI
MpiJob::MpiJob() = default;
MpiJob::~MpiJob() = default;

SweepOutcome run_sweep_mpi(const SweepSpec& spec, const SweepConfig& config, int& rank) {
  rank = 0;
  return run_sweep(spec, config);
}
#else
namespace {

using namespace sweep_detail;

constexpr int tag_ready = 1, tag_run = 2, tag_result = 3;
constexpr int no_more_runs = -1;

// The writer: answers every worker's request with the next pending run (or "no more")
// and writes the results as they come, until every worker has been told to stop.
SweepOutcome write_results(const SweepSpec& spec, const SweepConfig& config, ResultWriter& writer, int size,
                           std::chrono::steady_clock::time_point begin) {
  const std::vector<int> pending = pending_runs(writer);
  const long total = long(writer.status().size());
  long finished = total - long(pending.size()), ran_now = 0;
  std::size_t next = 0;
  int working = size - 1;
  while (working > 0) {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    if (status.MPI_TAG == tag_ready) {
      MPI_Recv(nullptr, 0, MPI_INT, status.MPI_SOURCE, tag_ready, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      int run = no_more_runs;
      if (next < pending.size() && !(config.stop && config.stop->load())) run = pending[next++];
      else --working;
      MPI_Send(&run, 1, MPI_INT, status.MPI_SOURCE, tag_run, MPI_COMM_WORLD);
    } else {
      int count = 0;
      MPI_Get_count(&status, MPI_CHAR, &count);
      std::vector<char> bytes(static_cast<std::size_t>(count));
      MPI_Recv(bytes.data(), count, MPI_CHAR, status.MPI_SOURCE, tag_result, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (record_run(writer, unpack_run(bytes))) {
        ++ran_now;
        if (config.on_run) config.on_run(++finished, total);
      }
    }
  }
  (void)spec;
  return finish(writer, ran_now, begin);
}

void work(const SweepSpec& spec, const SweepConfig& config, const Design& design) {
  // A worker cannot know which runs it will be given: it keeps each World it built.
  std::vector<int> every_run(std::size_t(design.points()) * spec.replicates);
  std::iota(every_run.begin(), every_run.end(), 0);
  PointWorlds worlds(spec, design, every_run);
  for (;;) {
    MPI_Send(nullptr, 0, MPI_INT, 0, tag_ready, MPI_COMM_WORLD);
    int run = no_more_runs;
    MPI_Recv(&run, 1, MPI_INT, 0, tag_run, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (run == no_more_runs) return;
    RunOutput out = run_one(spec, worlds, run, config.stop);
    if (out.interrupted) continue;  // the writer keeps it pending
    std::vector<char> bytes = pack_run(out);
    MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, 0, tag_result, MPI_COMM_WORLD);
  }
}

// A failure once runs are under way: the other ranks may be waiting on this one, so the
// whole job ends now (the sweep's file is a checkpoint, consistent whenever it stops).
[[noreturn]] void abort_job(int rank, const std::exception& e) {
  std::cerr << "stackrace: sweep failed on rank " << rank << ": " << e.what() << std::endl;
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();  // MPI_Abort does not return
}

// How the writer's start went, as every rank learns it.
enum class Start : int { ok = 0, refused = 1, failed = 2 };

}  // namespace

MpiJob::MpiJob() {
  int provided = 0;
  // Only each rank's main thread calls MPI; oneTBB's workers never do.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
}

MpiJob::~MpiJob() { MPI_Finalize(); }

SweepOutcome run_sweep_mpi(const SweepSpec& spec, const SweepConfig& config, int& rank) {
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const auto begin = std::chrono::steady_clock::now();
  const Design design = make_design(spec);
  // Only the writer opens the file; the others learn whether it could, and end as it
  // does (it alone reports why) rather than wait for runs that will never come.
  std::unique_ptr<ResultWriter> writer;
  std::exception_ptr why;
  Start start = Start::ok;
  if (rank == 0) {
    try {
      check_output(config);
      writer = open_output(spec, config, design, load_base(spec));
    } catch (const ScenarioError&) {
      why = std::current_exception(), start = Start::refused;
    } catch (const OutputError& e) {
      why = std::current_exception(), start = e.fault() == OutputFault::refused ? Start::refused : Start::failed;
    } catch (const std::exception&) {
      why = std::current_exception(), start = Start::failed;
    }
  }
  MPI_Bcast(&start, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (start != Start::ok) {
    if (rank == 0) std::rethrow_exception(why);
    if (start == Start::refused) throw ScenarioError("the writer rank refused the sweep");
    throw WriterFailed();
  }
  try {
    if (rank == 0) return write_results(spec, config, *writer, size, begin);
    work(spec, config, design);
  } catch (const std::exception& e) {
    abort_job(rank, e);
  }
  return {};
}
#endif

}  // namespace stackrace
