#include "worlds/detail/input_file.hpp"

#include <filesystem>

namespace stackrace::detail {

std::optional<std::string> unreadable_file(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) return "no such file";
  if (error) return error.message();
  if (!std::filesystem::is_regular_file(status)) return "not a regular file";
  const std::uintmax_t bytes = std::filesystem::file_size(path, error);
  if (error) return error.message();
  if (bytes > largest_input_bytes)
    return "the file is " + std::to_string(bytes >> 20) + " MiB: larger than any scenario, sweep or table (" +
           std::to_string(largest_input_bytes >> 20) + " MiB at most)";
  return std::nullopt;
}

}  // namespace stackrace::detail
