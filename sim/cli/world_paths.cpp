#include "sim/cli/world_paths.hpp"

#include <cstdlib>
#include <filesystem>

namespace stackrace::cli {

namespace fs = std::filesystem;

std::string worlds_folder() {
  if (const char* env = std::getenv("STACKRACE_WORLDS"); env && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "stackrace" / "worlds";
    if (fs::exists(installed / "default.toml")) return installed.string();
  }
  return STACKRACE_SOURCE_WORLDS;
}

std::string default_world() { return (fs::path(worlds_folder()) / "default.toml").string(); }

std::string shipped_or_given(const std::string& path) {
  std::error_code error;
  if (path.empty() || fs::path(path).is_absolute() || fs::exists(path, error)) return path;
  const fs::path shipped = fs::path(worlds_folder()) / path;
  return fs::is_regular_file(shipped, error) ? shipped.lexically_normal().string() : path;
}

}  // namespace stackrace::cli
