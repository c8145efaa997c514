#pragma once
// What the loaders' fuzz harnesses share (tests/fuzz/README.md). Each input is written as a
// file into a private copy of the shipped worlds/ folder, where the files it may name
// (`extends = "default.toml"`, `countries_table = "data/countries.csv"`, a sweep's
// `base = "../default.toml"`) resolve as they do for a user. A loader may refuse an input
// only with ScenarioError (a message naming the file, line and key, exit status 2 in the
// CLI): any other exception, a crash, a hang or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "worlds/scenario_error.hpp"

namespace stackrace::fuzz {

// A folder of its own under the system's temporary folder, removed when the process ends.
class PrivateFolder {
 public:
  PrivateFolder() : root_(std::filesystem::temp_directory_path() / ("stackrace-fuzz-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(root_);
  }
  ~PrivateFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  const std::filesystem::path& path() const { return root_; }

 private:
  std::filesystem::path root_;
};

// The private copy of worlds/, made once per process.
inline const std::filesystem::path& worlds_copy() {
  static const PrivateFolder root;
  static const std::filesystem::path folder = [] {
    const std::filesystem::path copy = root.path() / "worlds";
    std::filesystem::copy(STACKRACE_WORLDS_DIR, copy, std::filesystem::copy_options::recursive);
    return copy;
  }();
  return folder;
}

// Writes the input to `relative` inside the copy and returns its path.
inline std::string write_input(const std::string& relative, const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = worlds_copy() / relative;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path.string();
}

// Runs `load` on one input: a ScenarioError (the refusal with a message that bad input
// must get) ends it as success does; anything else escapes to libFuzzer as a finding.
template <class Load>
int accept_load_or_refusal(Load load) {
  try {
    load();
  } catch (const ScenarioError&) {
  }
  return 0;
}

}  // namespace stackrace::fuzz
