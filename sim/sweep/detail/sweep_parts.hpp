#pragma once
// The pieces of a sweep that the one-machine runner (sweep_runner.cpp) and the MPI runner
// (mpi_sweep.cpp) share: the design, the checkpointed output, each point's scenario,
// one run, and recording it.
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/result_file.hpp"
#include "sim/run_result.hpp"
#include "sim/sweep/design.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "model/world.hpp"
#include "worlds/scenario_loader.hpp"

namespace stackrace::sweep_detail {

Design make_design(const SweepSpec& spec);
ScenarioOverrides overrides_at(const SweepSpec& spec, const Design& design, int point, int replicate);
// The base scenario as the sweep sizes it: it fixes the file's shape and its stored
// scenario (parameters cannot change the shape: see load_sweep). Read once per sweep.
ScenarioDocument load_base(const SweepSpec& spec);
// Refuses an output that cannot take this sweep, before any run: OutputError (refused)
// where it exists (without --resume) or is missing (with --resume), OutputError (failed)
// where its folder cannot be created or written in. (A design with too many runs is
// refused earlier, by load_sweep.)
void check_output(const SweepConfig& config);
// Creates the sweep's file with its design written, or reopens it for --resume (refusing,
// OutputError, a file that is not this sweep's); call check_output first (once: a new
// file is created on another thread).
std::unique_ptr<ResultWriter> open_output(const SweepSpec& spec, const SweepConfig& config, const Design& design,
                                          const ScenarioDocument& base);
std::size_t runs_side_by_side(const Scenario& base, const SweepConfig& config);

// Runs of one design point share its World: its scenario is read and checked, and the
// World built, by the first run that needs it (its replicates differ only in the seed),
// and freed after the point's last run.
class PointWorlds {
 public:
  // `runs`: the runs that may come, each of which takes its point's World once.
  PointWorlds(const SweepSpec& spec, const Design& design, const std::vector<int>& runs);
  // The point's World; throws ScenarioError if its scenario is refused.
  std::shared_ptr<const World> at(int point);
  // A run of the point is done with its World.
  void release(int point);

 private:
  const SweepSpec& spec_;
  const Design& design_;
  std::vector<std::shared_ptr<const World>> world_;
  std::vector<std::string> error_;
  std::vector<std::atomic<int>> runs_left_;
  std::array<std::mutex, 64> locks_;  // point p's entries are guarded by locks_[p % 64]
};

struct RunOutput {
  int run = -1;
  // A finished run, compressed where it ran (in parallel), ready for the one writer.
  std::optional<EncodedRun> result;
  std::string error;
  bool interrupted = false;
};

// The scenario that sizes how many runs go side by side: the first pending run's
// point (read now, once, for that run too), or the base where that point is refused.
// Points share the base's population unless a parameter changes it.
Scenario sizing_scenario(const SweepSpec& spec, PointWorlds& worlds, const std::vector<int>& pending);

RunOutput run_one(const SweepSpec& spec, PointWorlds& worlds, int run, const std::atomic<bool>* stop);
// Writes a finished run (or its failure); false for an interrupted one, which stays pending.
bool record_run(ResultWriter& writer, const RunOutput& out);
std::vector<int> pending_runs(const ResultWriter& writer);
SweepOutcome finish(ResultWriter& writer, long ran_now, std::chrono::steady_clock::time_point begin);

}  // namespace stackrace::sweep_detail
