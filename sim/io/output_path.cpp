#include "sim/io/output_path.hpp"

#include <filesystem>

#include "sim/io/output_error.hpp"

namespace stackrace {
namespace {

const char* kind_of(std::filesystem::file_type type) {
  switch (type) {
    case std::filesystem::file_type::directory: return "a folder";
    case std::filesystem::file_type::fifo: return "a FIFO";
    case std::filesystem::file_type::character: return "a character device";
    case std::filesystem::file_type::block: return "a block device";
    case std::filesystem::file_type::socket: return "a socket";
    default: return "a special file";
  }
}

}  // namespace

void refuse_special_output(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  // A path that cannot be examined (a missing folder, no permission) is left to creating
  // the file, which reports it as a failure to write.
  if (error || !std::filesystem::exists(status) || std::filesystem::is_regular_file(status)) return;
  throw OutputError(path, std::string("not a regular file (") + kind_of(status.type()) +
                              "): give -o the path of a result file to write",
                    OutputFault::refused);
}

}  // namespace stackrace
