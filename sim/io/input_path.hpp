#pragma once
#include <string>

namespace stackrace {

// Refuses (OutputError, OutputFault::refused) a file to read (a result file for `info`,
// a calibration for --posterior or --resume) that is no regular file, with the reason:
// "no such file", "not a regular file (a FIFO)" — HDF5 would wait on a FIFO for ever —,
// or the file system's own (a name too long, a loop of symbolic links, no permission).
void refuse_unreadable_input(const std::string& path);

}  // namespace stackrace
