#pragma once
// A one-line progress bar on stderr (done/total, rate, time left), drawn only when stderr is a
// terminal so pipes and logs stay clean.
#include <chrono>
#include <cstdint>
#include <string>

namespace pianokpm {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::string unit, int64_t total);
  ~ProgressBar();
  // `note` is shown after the rate (e.g. the running training loss).
  void update(int64_t done, const std::string& note = "");
  void finish();

 private:
  std::string label_, unit_;
  int64_t total_;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace pianokpm
