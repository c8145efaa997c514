#pragma once
#include <fstream>
#include <optional>
#include <string>

namespace stackrace {

// The memory the kernel says can be given to a new process (MemAvailable), in bytes.
inline std::optional<double> available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024.0;
  }
  return std::nullopt;
}

}  // namespace stackrace
