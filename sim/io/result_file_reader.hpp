#pragma once
// Reads a result file back (`stackrace info`): what wrote it, its dimensions, its runs and
// their global shares. Opens files still being written by a sweep, and those whose
// writer was killed.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/io/hdf5.hpp"
#include "sim/io/output_error.hpp"

namespace stackrace {

class ResultFileReader {
 public:
  // Refuses (OutputError, OutputFault::refused) a path that is no file, a file that is
  // not HDF5, and one without the attribute format = "stackrace".
  explicit ResultFileReader(const std::string& path);

  const std::string& path() const { return path_; }
  std::string attribute(const std::string& name) const;  // a root string attribute
  std::int64_t format_version() const;
  // The month of time 0, "YYYY-MM", from the units of `time` ("days since YYYY-MM-01
  // 00:00:00"); refuses a file where they name no month.
  std::string start() const;
  // The length of a dimension: run, time, country, kind, stack.
  std::size_t length(const std::string& dimension) const;
  // A dimension's labels: country, kind, stack, and in a comparison file scenario.
  std::vector<std::string> labels(const std::string& dimension) const;
  std::vector<std::int8_t> status() const;  // RunStatus of each run
  std::vector<std::int64_t> seeds() const;
  // A comparison file's scenario of each run (an index into labels("scenario")); empty
  // for other files.
  std::vector<std::int64_t> scenario_of_run() const;
  // Every run's global share at a month, [run][kind][stack] (NaN for runs not done).
  std::vector<float> global_share_at(std::size_t month) const;

 private:
  std::string path_;
  h5::File file_;
};

}  // namespace stackrace
