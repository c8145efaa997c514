#pragma once
// A one-line progress bar with ETA on stderr, drawn only when stderr is a terminal
// and the user did not ask for --quiet (so logs and pipes stay clean).
#include <chrono>
#include <string>

namespace stackrace::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool quiet);
  void update(long done, long total);
  void finish();  // clears the line

 private:
  std::string label_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  long first_done_ = -1;  // where this invocation started (a resumed sweep starts part-way)
};

}  // namespace stackrace::cli
