#include "sim/cli/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

namespace stackrace::cli {

ProgressBar::ProgressBar(std::string label, bool quiet) : label_(std::move(label)), enabled_(!quiet && isatty(2)) {}

void ProgressBar::update(long done, long total) {
  if (!enabled_ || total <= 0) return;
  auto now = std::chrono::steady_clock::now();
  // Redrawing costs a system call; ten times a second is plenty for the eye.
  if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  if (first_done_ < 0) first_done_ = done - 1;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double fraction = static_cast<double>(done) / static_cast<double>(total);
  double rate = elapsed > 0 ? double(done - first_done_) / elapsed : 0;
  double eta = rate > 0 ? double(total - done) / rate : 0;
  constexpr int width = 30;
  int filled = static_cast<int>(fraction * width);
  std::string bar(filled, '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r%s [%s] %ld/%ld  %.3g/s  %.1fs elapsed, ETA %.1fs ", label_.c_str(), bar.c_str(), done,
               total, rate, elapsed, eta);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace stackrace::cli
