#include "cli/progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace pianokpm {

namespace {
constexpr int kBarWidth = 30;
}

ProgressBar::ProgressBar(std::string label, std::string unit, int64_t total)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(int64_t done, const std::string& note) {
  if (!enabled_ || total_ <= 0) return;
  done = std::min(done, total_);  // a video may hold more frames than its header says
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double left = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  const int filled = static_cast<int>(kBarWidth * done / total_);
  fmt::print(stderr, "\r{} [{}{}] {}/{} {} {:.1f} {}/s, {:.0f} s left{}{} ", label_, std::string(filled, '#'),
             std::string(kBarWidth - filled, '-'), done, total_, unit_, rate, unit_, left, note.empty() ? "" : ", ", note);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && !finished_) fmt::print(stderr, "\n");
  finished_ = true;
}

}  // namespace pianokpm
