#include "sim/io/output_path.hpp"

#include <cerrno>
#include <filesystem>

#include "sim/io/file_kind.hpp"
#include "sim/io/output_error.hpp"

namespace stackrace {

void refuse_special_output(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  // A name no file can have (longer than the file system allows, or through a loop of
  // symbolic links) is the path given, not the machine, at fault.
  if (error == std::errc::filename_too_long || error.value() == ELOOP)
    throw OutputError(path, "the file system refuses the path: " + error.message(), OutputFault::refused);
  // A path that cannot be examined otherwise (a missing folder, no permission) is left to
  // creating the file, which reports it as a failure to write.
  if (error || !std::filesystem::exists(status) || std::filesystem::is_regular_file(status)) return;
  throw OutputError(path, std::string("not a regular file (") + detail::kind_of(status.type()) +
                              "): give -o the path of a result file to write",
                    OutputFault::refused);
}

}  // namespace stackrace
