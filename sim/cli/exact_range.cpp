#include "sim/cli/exact_range.hpp"

#include <charconv>
#include <string>

namespace stackrace::cli {

CLI::Validator exact_range(std::int64_t lo, std::int64_t hi) {
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);  // +5 is 5, as CLI11 reads it
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
        if (error == std::errc::invalid_argument || end != text.data() + text.size())
          return "Value " + text + " is not a whole number";
        if (error == std::errc::result_out_of_range || value < lo || value > hi)
          return "Value " + text + " not in range " + range;
        return {};
      },
      "INT in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]");
}

}  // namespace stackrace::cli
