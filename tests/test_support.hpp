#pragma once
// Helpers shared by the C++ tests: paths into the source tree and throwaway files.
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "model/world.hpp"
#include "sim/simulation.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace::test {

inline std::string world(const std::string& name) { return std::string(STACKRACE_SOURCE_DIR) + "/worlds/" + name; }

// The first run (the scenario's seed, run 0) of the World the scenario describes.
inline RunResult run(const Scenario& scenario) {
  const World w = build_world(scenario);
  return simulate(w, first_run(w));
}

// A scenario file in the temp folder that removes itself.
class TempScenario {
 public:
  explicit TempScenario(const std::string& text, const std::string& name = "scenario.toml")
      : path_((std::filesystem::temp_directory_path() / ("stackrace-test-" + std::to_string(::getpid()) + "-" + name)).string()) {
    std::ofstream(path_) << text;
  }
  ~TempScenario() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace stackrace::test
