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

}  // namespace stackrace::cli
