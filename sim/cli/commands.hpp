#pragma once
// The stackrace subcommands. Each binds its options to an aggregate that CLI11 fills
// and returns the process exit status: 0 done, 1 failed while running, 2 bad input,
// 130 interrupted.
//
// Bad input is a scenario or sweep file refused (`FILE:LINE:COL: KEY: ...`), a bad
// option, or a result file the command cannot take (`stackrace: PATH: cause`): an output
// that is no regular file (a FIFO, a device, a folder) or whose name the file system
// refuses (too long, a loop of symbolic links), an output that exists (a sweep
// without --resume), a file that is not HDF5, not a stackrace result file, not this
// sweep's, drawn with other random numbers or chunked the old way, and for `info`,
// `--posterior` or `--resume` a path that is no regular file. Failed while running is a result file that could not be
// written (its folder cannot be made, HDF5 fails, the disk is full, the folder is
// read-only, the rename fails) or read once open (but for `info`, which only reads: a
// file it opened and cannot read through is damaged, bad input), with the cause, and
// where HDF5 failed its error stack.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/output_error.hpp"

namespace stackrace::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_interrupted = 130;

struct RunOptions {
  std::string scenario;  // empty: the shipped default world
  std::string output;    // empty: results/<scenario-name>.h5
  int replicates = 1;    // runs with seeds seed, seed + 1, ...
  std::optional<std::int64_t> seed;
  int threads = 0;  // 0: all cores
  std::optional<std::int64_t> agents;
  bool one_to_one = false;  // one agent per real developer and firm (sim/cli/one_to_one.hpp)
  std::optional<std::int64_t> steps;
  std::vector<std::string> set;
  std::string posterior;     // a calibration file or table of draws: run over its posterior
  std::optional<int> draws;  // how many draws (evenly spaced), each `replicates` times; alone: the world's [posterior]
  static constexpr int default_draws = 50;
  bool quiet = false;
};

struct ValidateOptions {
  std::string scenario;
  std::vector<std::string> set;
};

struct InfoOptions {
  std::string file;
};

struct SweepOptions {
  std::string sweep;
  std::string output;  // empty: results/<sweep-name>.h5
  int threads = 0;
  bool resume = false;
  bool quiet = false;
};

struct CalibrateOptions {
  std::string calibration;
  std::string output;  // empty: results/<calibration-name>.h5
  int check = 0;       // > 0: simulation-based calibration over this many synthetic datasets, no file
  std::optional<int> particles;               // overrides [calibration] particles
  std::optional<std::int64_t> simulations;    // overrides [calibration] simulations
  int threads = 0;
  bool resume = false;
  bool quiet = false;
};

struct CompareOptions {
  std::string base;
  std::string alternative;
  int replicates = 10;
  std::int64_t seed = 1;
  std::string output;  // empty: results/compare-<base>-<alternative>.h5
  int threads = 0;
  std::optional<std::int64_t> agents;
  std::optional<std::int64_t> steps;
  std::vector<std::string> set;
  int top = 15;
  std::optional<double> confidence;  // empty: default_confidence (sim/cli/comparison.hpp)
  bool independent_seeds = false;
  std::string posterior;     // a calibration file or table of draws: both arms over its posterior
  std::optional<int> draws;  // alone: the base world's [posterior]
  static constexpr int default_draws = 20;
  bool quiet = false;
};

void add_run_command(CLI::App& app, RunOptions& options);
void add_validate_command(CLI::App& app, ValidateOptions& options);
void add_info_command(CLI::App& app, InfoOptions& options);
void add_compare_command(CLI::App& app, CompareOptions& options);
void add_sweep_command(CLI::App& app, SweepOptions& options);
void add_calibrate_command(CLI::App& app, CalibrateOptions& options);
void add_list_command(CLI::App& app);

int run_command(const RunOptions& options);
int validate_command(const ValidateOptions& options);
int list_command();
int info_command(const InfoOptions& options);
int compare_command(const CompareOptions& options);
int sweep_command(const SweepOptions& options);
int calibrate_command(const CalibrateOptions& options);

// Prints a result-file problem as `stackrace: PATH: cause` and returns its exit status:
// exit_bad_input where the file was refused, exit_failed where writing or reading failed.
int report(const OutputError& error);
// Inside a catch (...) of `command` (run, compare, calibrate), writing `output`: reports
// the exception being handled and returns its exit status — 130 interrupted (nothing
// written), 2 bad input, `report` for a result-file problem, 1 anything else.
int report_failure(const std::string& command, const std::string& output);

}  // namespace stackrace::cli
