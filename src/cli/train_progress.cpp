#include "cli/train_progress.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pianokpm {

TrainProgress TrainProgressView::callbacks() {
  TrainProgress progress;
  progress.on_batch = [this](int epoch, int64_t done, int64_t total, double loss) {
    if (epoch != bar_epoch_) {
      bar_ = std::make_unique<ProgressBar>(fmt::format("epoch {}", epoch), "batches", total);
      bar_epoch_ = epoch;
    }
    bar_->update(done, fmt::format("loss {:.5f}", loss));
  };
  progress.on_epoch = [this](const std::string& line) {
    if (bar_) bar_->finish();
    spdlog::info("{}", line);
  };
  return progress;
}

void TrainProgressView::report(const TrainResult& r) const {
  if (!r.main_process) return;  // one line for the run, as for its epochs
  spdlog::info("done after {} epochs; best validation loss {:.5f}; best model {}", r.epochs_done, r.best_val_loss,
               r.best_checkpoint);
}

}  // namespace pianokpm
