#include "live/push_output.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace pianokpm::live {

void PushOutput::on_emg(const EmgRows& rows, const LiveStats&) {
  const torch::Tensor emg = rows.chunk.emg.to(torch::kFloat32).contiguous();
  const int64_t n = emg.size(0);
  if (n == 0) return;
  if (first_sample_ < 0) first_sample_ = rows.chunk.first_sample;
  std::vector<float> latency = rows.latency_ms;
  double median = 0;
  if (!latency.empty()) {
    std::nth_element(latency.begin(), latency.begin() + latency.size() / 2, latency.end());
    median = latency[latency.size() / 2];
  }
  client_->add(rows.chunk.first_sample - first_sample_, emg.data_ptr<float>(), n, median);
}

void PushOutput::on_end(const LiveStats&) {
  const bool complete = client_->finish();
  const remote::PushStats s = client_->stats();
  if (complete)
    spdlog::info("push: the server holds all {} rows (session {})", s.rows_acknowledged, s.session_id);
  else
    spdlog::warn("push: the server holds {} of {} rows{} (the local recording, if any, is complete)",
                 s.rows_acknowledged, s.rows_added, s.last_error.empty() ? "" : ": " + s.last_error);
}

}  // namespace pianokpm::live
