#pragma once
// Checking a file that a scenario or sweep names (`extends`, `[world] countries_table`,
// a sweep's `base`) before it is read.
#include <optional>
#include <string>

namespace stackrace::detail {

// Why `path` cannot be read as an input file, or nullopt where it is a regular file:
// "no such file", "not a regular file", or the file system's own reason (a name longer
// than a file name may be, a loop of symbolic links, no permission). Never throws: the
// loaders turn the reason into a ScenarioError at the key that named the path, since a
// path the file system refuses is bad input like a missing file.
std::optional<std::string> unreadable_file(const std::string& path);

}  // namespace stackrace::detail
