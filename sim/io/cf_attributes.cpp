#include "sim/io/cf_attributes.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>

namespace stackrace::cf {

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

void write_global_attributes(h5::File& file, const std::string& title, const std::string& created,
                             const std::string& command) {
  const std::string version = STACKRACE_VERSION;
  file.write_char_attribute("Conventions", conventions);
  file.write_char_attribute("title", title);
  file.write_char_attribute("history", created + " stackrace " + version + " " + command);
  file.write_char_attribute("source", "stackrace " + version + ", an agent-based simulator of how AI stacks spread");
}

void describe(h5::Dataset& variable, const std::string& long_name, const std::string& units) {
  variable.write_char_attribute("long_name", long_name);
  if (!units.empty()) variable.write_char_attribute("units", units);
}

void write_nan_fill(h5::Dataset& variable, h5::DataType type) {
  if (type == h5::Traits<float>::type)
    variable.write_attribute("_FillValue", std::numeric_limits<float>::quiet_NaN());
  else
    variable.write_attribute("_FillValue", std::numeric_limits<double>::quiet_NaN());
}

void write_coordinates(h5::File& file, const std::map<std::string, std::vector<std::string>>& dims,
                       const std::vector<std::string>& auxiliary) {
  for (const auto& [name, own] : dims) {
    // Dimension coordinates (a scale is its own dimension) and auxiliary ones list none.
    if ((own.size() == 1 && own.front() == name) || std::ranges::count(auxiliary, name)) continue;
    std::string listed;
    for (const std::string& coordinate : auxiliary) {
      const std::vector<std::string>& along = dims.at(coordinate);
      if (std::ranges::all_of(along, [&](const std::string& d) { return std::ranges::count(own, d) > 0; }))
        listed += (listed.empty() ? "" : " ") + coordinate;
    }
    if (!listed.empty()) file.dataset(name).write_char_attribute("coordinates", listed);
  }
}

}  // namespace stackrace::cf
