#pragma once
// A result file's `time` as CF conventions have it, so that plain xarray, netCDF4-python
// and `ncdump -t` read dates without stackrace's help: the first day of each month,
// counted in days since the first month's first day, in the proleptic Gregorian
// calendar (the one <chrono> and numpy count in). Months have no fixed length in days,
// and CF (like xarray) gives "months since" no calendar meaning, so days it is.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stackrace::cf {

inline constexpr const char* calendar = "proleptic_gregorian";

// "days since YYYY-MM-01 00:00:00": the units of `time` for a world starting in `start`
// (YYYY-MM, as scenario.start has it).
std::string time_units(const std::string& start);
// The first day of `months` months from `start` on, in days since start's first day.
std::vector<std::int64_t> days_since_start(const std::string& start, int months);
// The start month (YYYY-MM) of units time_units wrote; nothing for any other text.
std::optional<std::string> start_of(const std::string& units);

}  // namespace stackrace::cf
