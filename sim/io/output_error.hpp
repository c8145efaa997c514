#pragma once
#include <stdexcept>
#include <string>

namespace stackrace {

// Whose fault a result-file problem is, which decides the CLI's exit status.
enum class OutputFault {
  // The file given cannot be taken: an output that is no regular file (a FIFO, a device,
  // a folder), an output that exists (a sweep without --resume), a file that is not HDF5,
  // not a stackrace result file, not this sweep's, drawn with other random numbers or
  // chunked the old way. Nothing was written.
  refused,
  // Creating, writing, renaming or reading the file failed (a folder that cannot be
  // made, a full disk, an HDF5 failure).
  failed,
};

// Anything wrong with a result file: what() reads `PATH: cause`. Where HDF5 failed, the
// cause ends with HDF5's own error stack, one line per entry. A scenario's faults are
// ScenarioErrors (`FILE:LINE:COL: KEY: ...`); a result file has no lines to point to.
class OutputError : public std::runtime_error {
 public:
  OutputError(const std::string& path, const std::string& cause, OutputFault fault = OutputFault::failed)
      : std::runtime_error(path + ": " + cause), path_(path), cause_(cause), fault_(fault) {}

  const std::string& path() const { return path_; }
  const std::string& cause() const { return cause_; }
  OutputFault fault() const { return fault_; }

 private:
  std::string path_;
  std::string cause_;
  OutputFault fault_;
};

}  // namespace stackrace
