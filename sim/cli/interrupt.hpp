#pragma once
// Ctrl-C and SIGTERM for the long-running commands: they set one flag, which runs and
// sweeps check between months, so a command stops cleanly instead of dying mid-write.
#include <atomic>

namespace stackrace::cli {

// Installs the handlers (once is enough; again is harmless) and returns the flag they set.
const std::atomic<bool>& stop_on_interrupt();

}  // namespace stackrace::cli
