#pragma once
#include <functional>

namespace stackrace::cli {

// Runs `body` in a child process and returns its exit status; if the child dies of a
// signal instead, returns what `on_crash(signal)` returns. For reading files that may be
// damaged: HDF5 does not check the size of an object in its global heap (where it keeps
// variable-length strings, with no checksum), and reading a string whose size a damaged
// byte enlarged copies past the heap and crashes (SIGSEGV in H5HG_read). What the child
// printed stays printed.
int in_child_process(const std::function<int()>& body, const std::function<int(int signal)>& on_crash);

}  // namespace stackrace::cli
