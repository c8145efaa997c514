#include <cstdio>
#include <iostream>
#include <new>

#include "sim/calibrate/calibration_file.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/crash_guard.hpp"
#include "sim/cli/run_summary.hpp"
#include "sim/io/result_file_reader.hpp"

namespace stackrace::cli {
namespace {

// Mean over finished runs of the last month's global share, by kind and stack; in a
// comparison file, for each scenario separately.
void print_headline(const ResultFileReader& file, const std::vector<std::int8_t>& status) {
  const std::size_t N = file.length("kind"), K = file.length("stack");
  const std::vector<std::string> kinds = file.labels("kind"), stacks = file.labels("stack");
  std::vector<std::string> arms{""};
  std::vector<std::int64_t> arm_of_run = file.scenario_of_run();
  if (arm_of_run.empty()) arm_of_run.assign(status.size(), 0);
  else arms = file.labels("scenario");
  const std::vector<float> last = file.global_share_at(file.length("time") - 1);
  for (std::size_t arm = 0; arm < arms.size(); ++arm) {
    std::vector<double> sum(N * K, 0.0);
    int done = 0;
    for (std::size_t r = 0; r < status.size(); ++r) {
      if (status[r] != 1 || arm_of_run[r] != std::int64_t(arm)) continue;
      for (std::size_t j = 0; j < N * K; ++j) sum[j] += last[r * N * K + j];
      ++done;
    }
    const std::string which = arms[arm].empty() ? "" : " of " + arms[arm];
    if (done == 0) {
      std::cout << "No finished runs" << which << ".\n";
      continue;
    }
    std::cout << "Global share at the last month (mean over " << done << " finished run" << (done > 1 ? "s" : "")
              << which << "):\n";
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t k = 0; k < K; ++k) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-10s %-12s %6.1f%%\n", kinds[n].c_str(), stacks[k].c_str(),
                      100.0 * sum[n * K + k] / done);
        std::cout << line;
      }
  }
}

// A calibration file: how far its sampler got, and each parameter's posterior.
void print_calibration(const std::string& path) {
  const CalibrationDigest d = read_calibration_digest(path);
  std::cout << "file:        " << path << " (a calibration: stackrace calibrate)\n"
            << "calibration: " << d.name << ", written by stackrace " << d.version << " at " << d.created << '\n'
            << "sampler:     " << d.generations << " generations of " << d.particles << " particles, "
            << d.simulations << " simulations, tolerance " << d.tolerance
            << (d.converged ? " (the posterior)" : " (not yet the posterior)") << '\n'
            << "targets:     " << d.fitted << " fitted, " << d.held_out << " held out\n"
            << "Posterior (last generation), median and 90% interval:\n";
  for (const CalibrationDigest::Parameter& p : d.parameters) {
    char line[240];
    std::snprintf(line, sizeof line, "  %-34s %10.4g  [%.4g, %.4g]  (%s prior; %s)\n", p.name.c_str(), p.median, p.low,
                  p.high, p.prior.c_str(), p.key.c_str());
    std::cout << line;
  }
}

int describe_file(const InfoOptions& o);

}  // namespace

void add_info_command(CLI::App& app, InfoOptions& o) {
  CLI::App* cmd = app.add_subcommand("info", "Describe a result file: scenario, dimensions, runs, seeds, headline numbers");
  cmd->add_option("file", o.file, "Result file (.h5) written by stackrace")->required();
}

int info_command(const InfoOptions& o) {
  // HDF5 may crash on a damaged file (crash_guard.hpp): the file is read in a child
  // process, and its crash is a refusal of the file.
  return in_child_process([&] { return describe_file(o); }, [&](int signal) {
    std::cerr << "stackrace: " << o.file << ": cannot read the file (a damaged file): reading it crashed HDF5 (signal "
              << signal << ")\n";
    return exit_bad_input;
  });
}

namespace {

int describe_file(const InfoOptions& o) {
  try {
    const ResultFileReader file(o.file);
    if (file.attribute("command") == "calibrate") {
      print_calibration(o.file);
      return exit_ok;
    }
    const std::string start = file.start();
    const std::size_t times = file.length("time");
    const std::vector<std::int8_t> status = file.status();
    const std::vector<std::int64_t> seeds = file.seeds();
    int counts[3] = {0, 0, 0};
    for (auto st : status) counts[st >= 0 && st <= 2 ? st : 2]++;

    std::cout << "file:      " << o.file << '\n'
              << "scenario:  " << file.attribute("scenario_name") << '\n'
              << "format:    stackrace " << file.format_version() << ", written by stackrace "
              << file.attribute("stackrace_version") << " at " << file.attribute("created") << '\n'
              << "dims:      run=" << file.length("run") << " time=" << times << " (" << start << " to "
              << month_after(start, static_cast<int>(times) - 1) << ") country=" << file.length("country")
              << " kind=" << file.length("kind") << " stack=" << file.length("stack") << '\n'
              << "runs:      " << status.size() << " (done " << counts[1] << ", failed " << counts[2] << ", pending "
              << counts[0] << ")\n"
              << "seeds:     ";
    for (std::size_t r = 0; r < seeds.size() && r < 10; ++r) std::cout << (r ? ", " : "") << seeds[r];
    std::cout << (seeds.size() > 10 ? ", ..." : "") << '\n';
    print_headline(file, status);
    return exit_ok;
  } catch (const OutputError& e) {
    // info only reads: a file that opened but cannot be read through (a chunk cut off or
    // overwritten) is damaged, the input's fault, as one that does not open is.
    return report(OutputError(e.path(), e.cause(), OutputFault::refused));
  } catch (const std::bad_alloc&) {
    throw;  // memory running out is the machine's: main says so, exit 1
  } catch (const std::exception& e) {
    // Whatever else a damaged file makes fail (a dimension of no length, say).
    std::cerr << "stackrace: " << o.file << ": cannot read the file (a damaged file): " << e.what() << '\n';
    return exit_bad_input;
  }
}

}  // namespace

}  // namespace stackrace::cli
