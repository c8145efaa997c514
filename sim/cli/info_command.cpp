#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "sim/cli/commands.hpp"
#include "sim/cli/run_summary.hpp"
#include "sim/io/result_file.hpp"

namespace stackrace::cli {
namespace {

std::map<std::string, hsize_t> dimensions(hid_t file) {
  std::map<std::string, hsize_t> dims;
  for (const char* name : {"run", "time", "country", "kind", "stack"})
    dims[name] = h5::shape(h5::open_dataset(file, name))[0];
  return dims;
}

template <class T>
std::vector<T> read_all(hid_t file, const std::string& name) {
  h5::Handle dataset = h5::open_dataset(file, name);
  std::vector<hsize_t> dims = h5::shape(dataset);
  std::size_t n = 1;
  for (hsize_t d : dims) n *= d;
  std::vector<T> values(n);
  h5::read_box(dataset, h5::native_type<T>(), std::vector<hsize_t>(dims.size(), 0), dims, values.data());
  return values;
}

// Mean over finished runs of the last month's global share, by kind and stack; in a
// comparison file, for each scenario separately.
void print_headline(hid_t file, const std::map<std::string, hsize_t>& dims, const std::vector<std::int8_t>& status) {
  const hsize_t T = dims.at("time"), N = dims.at("kind"), K = dims.at("stack");
  std::vector<std::string> kinds = h5::read_strings(h5::open_dataset(file, "kind"));
  std::vector<std::string> stacks = h5::read_strings(h5::open_dataset(file, "stack"));
  std::vector<std::string> arms{""};
  std::vector<std::int64_t> arm_of_run(status.size(), 0);
  if (h5::has_dataset(file, "scenario")) {
    arms = h5::read_strings(h5::open_dataset(file, "scenario"));
    arm_of_run = read_all<std::int64_t>(file, "scenario_of_run");
  }
  h5::Handle global = h5::open_dataset(file, "global_share");
  std::vector<float> last(N * K);
  for (std::size_t arm = 0; arm < arms.size(); ++arm) {
    std::vector<double> sum(N * K, 0.0);
    int done = 0;
    for (hsize_t r = 0; r < status.size(); ++r) {
      if (status[r] != 1 || arm_of_run[r] != std::int64_t(arm)) continue;
      h5::read_box(global, H5T_NATIVE_FLOAT, {r, T - 1, 0, 0}, {1, 1, N, K}, last.data());
      for (std::size_t j = 0; j < last.size(); ++j) sum[j] += last[j];
      ++done;
    }
    const std::string which = arms[arm].empty() ? "" : " of " + arms[arm];
    if (done == 0) {
      std::cout << "No finished runs" << which << ".\n";
      continue;
    }
    std::cout << "Global share at the last month (mean over " << done << " finished run" << (done > 1 ? "s" : "")
              << which << "):\n";
    for (hsize_t n = 0; n < N; ++n)
      for (hsize_t k = 0; k < K; ++k) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-10s %-12s %6.1f%%\n", kinds[n].c_str(), stacks[k].c_str(),
                      100.0 * sum[n * K + k] / done);
        std::cout << line;
      }
  }
}

}  // namespace

void add_info_command(CLI::App& app, InfoOptions& o) {
  CLI::App* cmd = app.add_subcommand("info", "Describe a result file: scenario, dimensions, runs, seeds, headline numbers");
  cmd->add_option("file", o.file, "Result file (.h5) written by stackrace")->required();
}

int info_command(const InfoOptions& o) {
  if (!std::filesystem::is_regular_file(o.file)) {
    std::cerr << o.file << ": no such file\n";
    return exit_bad_input;
  }
  try {
    h5::Handle file = h5::open_file(o.file, false);
    if (H5Aexists(file, "format") <= 0 || h5::read_string_attribute(file, "format") != "stackrace") {
      std::cerr << o.file << ": not a stackrace result file (no format = \"stackrace\" attribute)\n";
      return exit_bad_input;
    }
    auto dims = dimensions(file);
    std::string start = h5::read_string_attribute(h5::open_dataset(file, "time"), "start");
    std::vector<std::int8_t> status = read_all<std::int8_t>(file, "status");
    std::vector<std::int64_t> seeds = read_all<std::int64_t>(file, "seed");
    int counts[3] = {0, 0, 0};
    for (auto st : status) counts[st >= 0 && st <= 2 ? st : 2]++;

    std::cout << "file:      " << o.file << '\n'
              << "scenario:  " << h5::read_string_attribute(file, "scenario_name") << '\n'
              << "format:    stackrace " << h5::read_int_attribute(file, "format_version") << ", written by stackrace "
              << h5::read_string_attribute(file, "stackrace_version") << " at "
              << h5::read_string_attribute(file, "created") << '\n'
              << "dims:      run=" << dims["run"] << " time=" << dims["time"] << " (" << start << " to "
              << month_after(start, static_cast<int>(dims["time"]) - 1) << ") country=" << dims["country"]
              << " kind=" << dims["kind"] << " stack=" << dims["stack"] << '\n'
              << "runs:      " << status.size() << " (done " << counts[1] << ", failed " << counts[2] << ", pending "
              << counts[0] << ")\n"
              << "seeds:     ";
    for (std::size_t r = 0; r < seeds.size() && r < 10; ++r) std::cout << (r ? ", " : "") << seeds[r];
    std::cout << (seeds.size() > 10 ? ", ..." : "") << '\n';
    print_headline(file, dims, status);
    return exit_ok;
  } catch (const h5::Hdf5Error& e) {
    std::cerr << o.file << ": " << e.what() << '\n';
    return exit_bad_input;
  }
}

}  // namespace stackrace::cli
