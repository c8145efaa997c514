#pragma once
// Helpers shared by the C++ tests: paths into the source tree and throwaway files.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "model/world.hpp"
#include "sim/simulation.hpp"
#include "worlds/world_builder.hpp"

namespace stackrace::test {

inline std::string world(const std::string& name) { return std::string(STACKRACE_SOURCE_DIR) + "/worlds/" + name; }

// The index of the scenario's country, or stack, with that id; an error naming it if none.
inline int country_index(const Scenario& s, const std::string& id) {
  for (int c = 0; c < s.country_count(); ++c)
    if (s.countries[c].id == id) return c;
  throw std::invalid_argument("the scenario has no country " + id);
}
inline int stack_index(const Scenario& s, const std::string& id) {
  for (int k = 0; k < s.stack_count(); ++k)
    if (s.stacks[k].id == id) return k;
  throw std::invalid_argument("the scenario has no stack " + id);
}

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
