#include "sim/io/result_file_reader.hpp"


#include "model/month.hpp"
#include "sim/io/cf_time.hpp"

namespace stackrace {

ResultFileReader::ResultFileReader(const std::string& path) : path_(path) {
  try {
    file_ = h5::File::open(path);
  } catch (const OutputError& e) {
    throw OutputError(e.path(), e.cause(), OutputFault::refused);  // HDF5's stack says why
  }
  bool stackrace_file = false;
  try {
    stackrace_file = file_.has_attribute("format") && file_.read_attribute<std::string>("format") == "stackrace";
  } catch (const OutputError& e) {
    // The superblock read but not the root's attributes: a file cut short is bad input.
    throw OutputError(e.path(), e.cause(), OutputFault::refused);
  }
  if (!stackrace_file)
    throw OutputError(path, "not a stackrace result file (no format = \"stackrace\" attribute)", OutputFault::refused);
}

std::string ResultFileReader::attribute(const std::string& name) const {
  return file_.read_attribute<std::string>(name);
}

std::int64_t ResultFileReader::format_version() const { return file_.read_attribute<std::int64_t>("format_version"); }

std::string ResultFileReader::start() const {
  const h5::Dataset time = file_.dataset("time");
  // Whatever dates the file's months reads it as YYYY-MM: a damaged file is refused here.
  // Files from before format 4 name the month in `start`, not in CF's units.
  const bool cf = time.has_attribute("units");
  if (!cf && !time.has_attribute("start"))
    throw OutputError(path_, "time: no units attribute (a damaged file)", OutputFault::refused);
  const std::string written = time.read_attribute<std::string>(cf ? "units" : "start");
  const std::optional<std::string> start = cf ? cf::start_of(written) : std::optional(written);
  if (!start || !is_month(*start))
    throw OutputError(path_,
                      cf ? "time: its units '" + written + "' are not days since the first of a month, " +
                               "'days since YYYY-MM-01 00:00:00' (a damaged file)"
                         : "time: its start attribute '" + written + "' is not a month written YYYY-MM (a damaged file)",
                      OutputFault::refused);
  return *start;
}

std::size_t ResultFileReader::length(const std::string& dimension) const {
  return static_cast<std::size_t>(file_.dataset(dimension).shape().at(0));
}

std::vector<std::string> ResultFileReader::labels(const std::string& dimension) const {
  return file_.dataset(dimension).read<std::string>();
}

std::vector<std::int8_t> ResultFileReader::status() const { return file_.dataset("status").read<std::int8_t>(); }

std::vector<std::int64_t> ResultFileReader::seeds() const { return file_.dataset("seed").read<std::int64_t>(); }

std::vector<std::int64_t> ResultFileReader::scenario_of_run() const {
  if (!file_.contains("scenario_of_run")) return {};
  return file_.dataset("scenario_of_run").read<std::int64_t>();
}

std::vector<float> ResultFileReader::global_share_at(std::size_t month) const {
  const h5::Dataset global = file_.dataset("global_share");
  const h5::Dims dims = global.shape();
  return global.read<float>({0, month, 0, 0}, {dims.at(0), 1, dims.at(2), dims.at(3)});
}

}  // namespace stackrace
