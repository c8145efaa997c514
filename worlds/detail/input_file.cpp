#include "worlds/detail/input_file.hpp"

#include <filesystem>

namespace stackrace::detail {

std::optional<std::string> unreadable_file(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) return "no such file";
  if (error) return error.message();
  if (!std::filesystem::is_regular_file(status)) return "not a regular file";
  return std::nullopt;
}

}  // namespace stackrace::detail
