#pragma once
// What train and adapt show while they run: a progress bar per epoch on a terminal, one log line
// per epoch, and the result.
#include <memory>

#include "cli/progress_bar.h"
#include "train/trainer.h"

namespace pianokpm {

class TrainProgressView {
 public:
  TrainProgress callbacks();
  void report(const TrainResult& result) const;

 private:
  std::unique_ptr<ProgressBar> bar_;
  int bar_epoch_ = 0;
};

}  // namespace pianokpm
