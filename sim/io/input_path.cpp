#include "sim/io/input_path.hpp"

#include <filesystem>

#include "sim/io/file_kind.hpp"
#include "sim/io/output_error.hpp"

namespace stackrace {

void refuse_unreadable_input(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found)
    throw OutputError(path, "no such file", OutputFault::refused);
  if (error) throw OutputError(path, "cannot read the file: " + error.message(), OutputFault::refused);
  if (!std::filesystem::is_regular_file(status))
    throw OutputError(path, std::string("not a regular file (") + detail::kind_of(status.type()) + ")",
                      OutputFault::refused);
}

}  // namespace stackrace
