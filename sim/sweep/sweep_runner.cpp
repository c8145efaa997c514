#include "sim/sweep/sweep_runner.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>
#include <thread>

#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include "agents/population.hpp"
#include "sim/io/output_path.hpp"
#include "sim/io/result_file.hpp"
#include "sim/rng.hpp"
#include "sim/simulation.hpp"
#include "sim/sweep/design.hpp"
#include "sim/sweep/detail/sweep_parts.hpp"
#include "worlds/scenario_error.hpp"
#include "worlds/scenario_loader.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace {
namespace sweep_detail {

Design make_design(const SweepSpec& spec) {
  const int P = static_cast<int>(spec.parameters.size());
  switch (spec.design) {
    case DesignKind::grid: {
      std::vector<int> levels;
      for (const SweepParameter& p : spec.parameters) levels.push_back(p.levels());
      return grid_design(levels);
    }
    case DesignKind::random: return random_design(P, spec.samples, spec.seed);
    case DesignKind::latin_hypercube: return latin_hypercube_design(P, spec.samples, spec.seed);
    case DesignKind::sobol: return sobol_design(P, spec.samples);
    case DesignKind::saltelli: return saltelli_design(P, spec.samples);
  }
  return {};
}

ScenarioOverrides overrides_at(const SweepSpec& spec, const Design& design, int point, int replicate) {
  ScenarioOverrides o;
  for (int p = 0; p < design.parameters; ++p) o.set.push_back(spec.parameters[p].assignment(design.at(point, p)));
  o.developer_agents = spec.agents;
  o.steps = spec.steps;
  o.seed = static_cast<std::int64_t>(spec.seed) + replicate;
  o.file_checked = true;  // load_base read the base as written
  return o;
}

// Everything about each run that the design fixes, written before any run starts.
void write_design(ResultWriter& writer, const SweepSpec& spec, const Design& design) {
  const int R = spec.replicates;
  for (const SweepParameter& p : spec.parameters)
    writer.add_run_column<double>("param_" + p.name, "swept value of " + p.key);
  writer.add_run_column<std::int64_t>("design_point", "index of the run's point in the design");
  writer.add_run_column<std::int64_t>("replicate", "replicate of the point (seed = sweep seed + replicate)");
  if (spec.design == DesignKind::saltelli) {
    writer.add_run_column<std::int64_t>("saltelli_matrix", "0 = A, i = AB_i (A with column i from B), P + 1 = B");
    writer.add_run_column<std::int64_t>("saltelli_row", "row of the A and B matrices");
  }
  writer.add_error_column("why a failed run failed");
  // Whole columns at once: a compressed column rewritten one element at a time would be
  // recompressed for every run, which large sweeps cannot afford.
  const std::size_t runs = std::size_t(design.points()) * R;
  auto run_of = [&](std::size_t run) { return std::pair{int(run / R), int(run % R)}; };
  for (int p = 0; p < design.parameters; ++p) {
    std::vector<double> values(runs);
    for (std::size_t run = 0; run < runs; ++run)
      values[run] = spec.parameters[p].value_at(design.at(run_of(run).first, p));
    writer.write_run_column_all("param_" + spec.parameters[p].name, values);
  }
  std::vector<std::int64_t> point(runs), replicate(runs), seed(runs), matrix(runs), row(runs);
  for (std::size_t run = 0; run < runs; ++run) {
    const auto [pt, rep] = run_of(run);
    point[run] = pt;
    replicate[run] = rep;
    seed[run] = static_cast<std::int64_t>(spec.seed) + rep;
    if (spec.design == DesignKind::saltelli) matrix[run] = design.matrix[pt], row[run] = design.row[pt];
  }
  writer.write_run_column_all("design_point", point);
  writer.write_run_column_all("replicate", replicate);
  writer.write_run_column_all("seed", seed);
  if (spec.design == DesignKind::saltelli) {
    writer.write_run_column_all("saltelli_matrix", matrix);
    writer.write_run_column_all("saltelli_row", row);
  }
}

namespace {
ScenarioOverrides base_overrides(const SweepSpec& spec) {
  return ScenarioOverrides{{}, spec.agents, spec.steps, static_cast<std::int64_t>(spec.seed), {}};
}
}  // namespace

ScenarioDocument load_base(const SweepSpec& spec) { return read_scenario(spec.base, base_overrides(spec)); }

void check_output(const SweepConfig& config) {
  refuse_special_output(config.output);
  // A path that cannot be examined is taken as no file: creating its folder says why.
  std::error_code error;
  if (config.resume) {
    if (!std::filesystem::is_regular_file(config.output, error))
      throw OutputError(config.output, "--resume: no sweep file to resume", OutputFault::refused);
    // A file that may not be written (a read-only file system, no permission) is the
    // machine's to fix: HDF5's refusal to reopen it would read as a damaged file to delete.
    if (access(config.output.c_str(), W_OK) != 0)
      throw OutputError(config.output, std::string("--resume: cannot write the file: ") + std::strerror(errno));
    return;
  }
  if (std::filesystem::exists(config.output, error))
    throw OutputError(config.output, "the output exists: resume it with --resume, or remove it", OutputFault::refused);
  // The file itself is created on another thread while the first runs go (run_sweep):
  // a folder it cannot be written in is refused here, before any run.
  const std::filesystem::path folder = std::filesystem::absolute(config.output).parent_path();
  std::filesystem::create_directories(folder, error);
  if (error) throw OutputError(config.output, "cannot create its folder " + folder.string() + ": " + error.message());
  if (access(folder.c_str(), W_OK) != 0)
    throw OutputError(config.output, "cannot write in its folder " + folder.string() + ": " + std::strerror(errno));
}

namespace {
// A sweep makes its file aside and renames it into place whole (start_checkpointing), so
// a file --resume cannot reopen, or that lacks a dataset every result file has, was
// damaged since (cut short, overwritten): nothing in it can be finished.
std::unique_ptr<ResultWriter> reopen_to_resume(const std::string& path) {
  try {
    return ResultWriter::reopen(path);
  } catch (const OutputError& e) {
    if (e.fault() != OutputFault::refused) throw;
    throw OutputError(path, "--resume: not a complete sweep file, start afresh or delete it: " + e.cause(),
                      OutputFault::refused);
  }
}
}  // namespace

std::unique_ptr<ResultWriter> open_output(const SweepSpec& spec, const SweepConfig& config, const Design& design,
                                          const ScenarioDocument& base) {
  if (config.resume) {
    auto writer = reopen_to_resume(config.output);
    auto refuse = [&](const std::string& why) {
      return OutputError(config.output, "--resume: " + why, OutputFault::refused);
    };
    if (const std::string command = writer->attribute("command"); command != "sweep")
      throw refuse("not a sweep's file" + (command.empty() ? "" : " (written by stackrace " + command + ")"));
    if (writer->text("scenario_toml").empty())
      throw refuse("this file was written by an older stackrace, which kept the scenario in an attribute: run the "
                   "sweep again into a new file");
    if (writer->text("sweep_toml") != spec.resolved_toml)
      throw refuse("this file was written by a different sweep than " + spec.path);
    // The base as resolved now — every file it extends merged in, every country of its
    // table written out — must be the base the finished runs ran: otherwise the file
    // would mix two models.
    if (writer->text("scenario_toml") != base.resolved_toml)
      throw refuse("the base scenario " + spec.base +
                   " (or a file it extends, or its country table) has changed since this file was written, so new "
                   "runs would not be runs of the same model: run the sweep again into a new file");
    if (writer->attribute("random_numbers") != random_numbers_id)
      throw refuse("this file's runs were drawn with other random numbers (an older stackrace), and its unfinished "
                   "runs would not match them: run the sweep again into a new file");
    if (!writer->chunks_match_encoding())
      throw refuse("this file's datasets are chunked otherwise (an older stackrace): run the sweep again into a new "
                   "file");
    writer->start_checkpointing();
    return writer;
  }
  const long runs = long(design.points()) * spec.replicates;
  // The parameters' names in design order (names are identifiers, so a space separates
  // them): Saltelli's AB_i takes column i from B in this order.
  std::string parameters;
  for (const SweepParameter& p : spec.parameters) parameters += (parameters.empty() ? "" : " ") + p.name;
  auto writer = std::make_unique<ResultWriter>(
      config.output, base.scenario, base.resolved_toml, static_cast<int>(runs),
      std::map<std::string, std::string>{{"command", "sweep"}, {"sweep_name", spec.name},
                                         {"design", design_name(spec.design)}, {"parameters", parameters}},
      WriteMode::checkpoint);
  writer->add_text("sweep_toml", spec.resolved_toml, "the sweep file, resolved (TOML)");
  write_design(*writer, spec, design);
  writer->start_checkpointing();
  return writer;
}

// How many runs may be in memory at once: enough to keep every core busy with small
// runs, few enough that large ones fit.
std::size_t runs_side_by_side(const Scenario& base, const SweepConfig& config) {
  const double agents = double(base.developer_agents + base.firm_agents);
  const double per_run = agents * 2 * bytes_per_agent + 20e6;  // agents, last month's firms, results
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::size_t fit = config.memory_limit_bytes > 0 ? std::size_t(config.memory_limit_bytes * 0.8 / per_run) : 2 * cores;
  return std::max<std::size_t>(1, std::min(2 * cores, fit));
}

Scenario sizing_scenario(const SweepSpec& spec, PointWorlds& worlds, const std::vector<int>& pending) {
  if (!pending.empty()) {
    try {
      return worlds.at(pending.front() / spec.replicates)->scenario;
    } catch (const std::exception&) {
      // That run will fail with this message; the base sizes the others.
    }
  }
  return load_scenario(spec.base, base_overrides(spec));
}

PointWorlds::PointWorlds(const SweepSpec& spec, const Design& design, const std::vector<int>& runs)
    : spec_(spec), design_(design), world_(design.points()), error_(design.points()), runs_left_(design.points()) {
  for (int run : runs) ++runs_left_[run / spec.replicates];
}

std::shared_ptr<const World> PointWorlds::at(int point) {
  std::lock_guard<std::mutex> lock(locks_[std::size_t(point) % locks_.size()]);
  if (!error_[point].empty()) throw ScenarioError(error_[point]);
  if (!world_[point]) {
    try {
      world_[point] =
          std::make_shared<const World>(build_world(load_scenario(spec_.base, overrides_at(spec_, design_, point, 0))));
    } catch (const ScenarioError& e) {
      error_[point] = e.what();
      throw;
    }
  }
  return world_[point];
}

void PointWorlds::release(int point) {
  if (--runs_left_[point] > 0) return;
  std::lock_guard<std::mutex> lock(locks_[std::size_t(point) % locks_.size()]);
  world_[point].reset();
}

RunOutput run_one(const SweepSpec& spec, PointWorlds& worlds, int run, const std::atomic<bool>* stop) {
  RunOutput out;
  out.run = run;
  const int point = run / spec.replicates, replicate = run % spec.replicates;
  try {
    const std::shared_ptr<const World> world = worlds.at(point);
    // The replicate keys the streams: common random numbers across points.
    out.result = encode_run(simulate(*world, RunConfig{spec.seed + static_cast<std::uint64_t>(replicate), replicate, {}, stop}));
  } catch (const RunInterrupted&) {
    out.interrupted = true;
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  worlds.release(point);
  return out;
}

bool record_run(ResultWriter& writer, const RunOutput& out) {
  if (out.interrupted) return false;  // stays pending, for --resume
  if (out.result) writer.write_run(out.run, *out.result);
  else writer.mark_failed(out.run, out.error);
  return true;
}

std::vector<int> pending_runs(const ResultWriter& writer) {
  std::vector<int> pending;
  const std::vector<std::int8_t> status = writer.status();
  for (int r = 0; r < int(status.size()); ++r)
    if (status[r] == std::int8_t(RunStatus::pending)) pending.push_back(r);
  return pending;
}

SweepOutcome finish(ResultWriter& writer, long ran_now, std::chrono::steady_clock::time_point begin) {
  SweepOutcome outcome;
  outcome.ran_now = ran_now;
  for (std::int8_t s : writer.status()) {
    ++outcome.runs;
    outcome.done += s == std::int8_t(RunStatus::done);
    outcome.failed += s == std::int8_t(RunStatus::failed);
    outcome.pending += s == std::int8_t(RunStatus::pending);
  }
  writer.commit();
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return outcome;
}

}  // namespace sweep_detail

using namespace sweep_detail;

SweepOutcome run_sweep(const SweepSpec& spec, const SweepConfig& config) {
  const auto begin = std::chrono::steady_clock::now();
  const Design design = make_design(spec);
  // A new file's runs are all pending, so they start while another thread reads the
  // base scenario (with the resolved text the file keeps) and creates the file (its ~40
  // datasets and dimension scales): a few percent of a sweep of small runs. The writer
  // stage waits for it; only that thread, and then the writer stage, call HDF5.
  // Resuming reads what is pending from the file first.
  check_output(config);
  std::unique_ptr<ResultWriter> writer;
  // Declared before the future, whose destructor waits for the thread that sets it.
  std::atomic<bool> open_failed{false};
  std::future<std::unique_ptr<ResultWriter>> opening;
  std::vector<int> pending;
  if (config.resume) {
    writer = open_output(spec, config, design, load_base(spec));
    pending = pending_runs(*writer);
  } else {
    opening = std::async(std::launch::async, [&] {
      try {
        return open_output(spec, config, design, load_base(spec));
      } catch (...) {
        open_failed = true;  // no new runs: the error comes out with the runs in flight
        throw;
      }
    });
    pending.resize(std::size_t(design.points()) * spec.replicates);
    std::iota(pending.begin(), pending.end(), 0);
  }
  auto opened = [&]() -> ResultWriter& {
    if (!writer) writer = opening.get();
    return *writer;
  };
  PointWorlds worlds(spec, design, pending);
  const std::size_t side_by_side = runs_side_by_side(sizing_scenario(spec, worlds, pending), config);
  const long total = long(design.points()) * spec.replicates;
  long finished = total - long(pending.size()), ran_now = 0;
  std::size_t next = 0;
  tbb::parallel_pipeline(
      side_by_side,
      tbb::make_filter<void, int>(tbb::filter_mode::serial_in_order,
                                  [&](tbb::flow_control& fc) -> int {
                                    if (next >= pending.size() || (config.stop && config.stop->load()) ||
                                        open_failed.load()) {
                                      fc.stop();
                                      return -1;
                                    }
                                    return pending[next++];
                                  }) &
          tbb::make_filter<int, RunOutput>(tbb::filter_mode::parallel,
                                           [&](int run) { return run_one(spec, worlds, run, config.stop); }) &
          tbb::make_filter<RunOutput, void>(tbb::filter_mode::serial_out_of_order, [&](RunOutput out) {
            if (!record_run(opened(), out)) return;
            ++ran_now;
            if (config.on_run) config.on_run(++finished, total);
          }));
  return finish(opened(), ran_now, begin);
}

}  // namespace stackrace
