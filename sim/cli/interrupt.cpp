#include "sim/cli/interrupt.hpp"

#include <csignal>

namespace stackrace::cli {
namespace {
std::atomic<bool> stop_requested{false};
extern "C" void request_stop(int) { stop_requested.store(true); }
}  // namespace

const std::atomic<bool>& stop_on_interrupt() {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  return stop_requested;
}

}  // namespace stackrace::cli
