// stackrace list: the shipped worlds, policy scenarios, sweeps and calibrations, each with the first
// line of its own header comment, so that an analyst finds what there is to run without
// knowing where it was installed (each path given here works as the argument of run,
// compare, validate or sweep, from any working directory).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/cli/world_paths.hpp"

namespace stackrace::cli {
namespace {

namespace fs = std::filesystem;

// The first sentence of the file's leading comment (its lines joined), cut to a line.
std::string headline(const fs::path& file) {
  std::ifstream in(file);
  std::string text, line;
  while (std::getline(in, line) && line.rfind("#", 0) == 0) {
    line.erase(0, line.find_first_not_of("# "));
    text += (text.empty() ? "" : " ") + line;
    if (text.find(". ") != std::string::npos || text.back() == '.') break;
  }
  if (const auto end = text.find(". "); end != std::string::npos) text.resize(end + 1);
  constexpr std::size_t widest = 110;
  if (text.size() > widest) text = text.substr(0, widest - 3) + "...";
  return text;
}

// The shipped TOML files of one folder (relative to the worlds folder), sorted.
std::vector<std::string> files_of(const fs::path& worlds, const std::string& folder) {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(worlds / folder, error))
    if (entry.is_regular_file() && entry.path().extension() == ".toml")
      found.push_back((fs::path(folder) / entry.path().filename()).lexically_normal().string());
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

void add_list_command(CLI::App& app) {
  app.add_subcommand("list", "List the shipped worlds, policy scenarios, what-if worlds, sweeps and calibrations");
}

int list_command() {
  const fs::path worlds = worlds_folder();
  const std::vector<std::pair<std::string, std::string>> sections{
      {"Worlds", "."},
      {"Policy scenarios", "policies"},
      {"What-if worlds of the race", "race"},
      {"Sweeps", "sweeps"},
      {"Calibrations", "calibrations"}};
  std::cout << "Shipped in " << worlds.string() << " (give these paths to run, compare, validate, sweep, calibrate):\n";
  for (const auto& [title, folder] : sections) {
    std::cout << '\n' << title << '\n';
    for (const std::string& file : files_of(worlds, folder))
      std::cout << "  " << file << (headline(worlds / file).empty() ? "" : "\n      " + headline(worlds / file)) << '\n';
  }
  return exit_ok;
}

}  // namespace stackrace::cli
