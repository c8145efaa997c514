#pragma once
// Checking a file that stackrace reads as input (a scenario, sweep or calibration, a file
// one names — `extends`, `[world] countries_table`, a sweep's `base`, a record — or a
// table of draws) before it is read.
#include <cstdint>
#include <optional>
#include <string>

namespace stackrace::detail {

// Every input is text a person writes or a table of a few thousand rows: anything far
// larger is not one, and is refused before it is read rather than read into memory.
inline constexpr std::uintmax_t largest_input_bytes = 64u << 20;

// Why `path` cannot be read as an input file, or nullopt where it is a regular file of at
// most largest_input_bytes: "no such file", "not a regular file" (a device such as
// /dev/zero would be read without end, a FIFO waited on), the file's size, or the file
// system's own reason (a name longer than a file name may be, a loop of symbolic links,
// no permission). Never throws: the loaders turn the reason into a ScenarioError at the
// key that named the path, since a path the file system refuses is bad input like a
// missing file.
std::optional<std::string> unreadable_file(const std::string& path);

}  // namespace stackrace::detail
