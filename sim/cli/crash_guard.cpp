#include "sim/cli/crash_guard.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <new>

namespace stackrace::cli {

int in_child_process(const std::function<int()>& body, const std::function<int(int signal)>& on_crash) {
  // Flushed first, or the child would print again what the parent had buffered.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return body();  // no child to be had: read here, unguarded
  if (child == 0) {
    int status = 1;
    try {
      status = body();
    } catch (const std::bad_alloc&) {
      std::cerr << "stackrace: out of memory\n";  // as main says it
    } catch (...) {
      std::cerr << "stackrace: an unexpected failure\n";
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    _exit(status);  // not exit(): the parent's exit handlers are the parent's
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return on_crash(0);
  return WIFSIGNALED(status) ? on_crash(WTERMSIG(status)) : WEXITSTATUS(status);
}

}  // namespace stackrace::cli
