#pragma once
#include <string>

namespace stackrace {

// Refuses (OutputError, OutputFault::refused) an output path that exists and is not a
// regular file: a FIFO, a device node, a socket or a folder. Renaming a finished file
// over it would replace the special file itself (as root, a system device); a path that
// does not exist yet, or a regular file to overwrite, passes. Symbolic links are followed.
// A path the file system refuses by its name (too long, a loop of symbolic links) is
// refused too; any other failure to examine it is left to creating the file.
void refuse_special_output(const std::string& path);

}  // namespace stackrace
