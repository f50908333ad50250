#include "eval/streamed_prediction.h"

#include <array>
#include <stdexcept>
#include <vector>

#include "predict/stream_predictor.h"

namespace pianokpm {

torch::Tensor predict_streamed(const EmgModel& net, const PerformanceStreams& streams, double hop_s, bool incremental) {
  const ModelConfig& c = net->config();
  if (!streams.pose.defined()) throw std::invalid_argument("--stream-hop needs a model that reads pose");
  StreamOptions so;
  so.hop_s = hop_s;
  so.incremental = incremental;
  so.device = net->device();
  // catch_up stays false: step() runs after every frame, so no hop is ever missed.
  StreamPredictor stream(net, so, streams.keys.defined() ? recorded_keys(streams.keys) : StreamKeys());
  // Frames in the file's units: scaled by pose_scale here and back by the predictor (image size 1).
  const auto keypoints = streams.pose.accessor<float, 2>();
  std::vector<torch::Tensor> parts;
  std::array<float, pose::kHandLandmarks * 3> frame{};
  for (int64_t f = 0; f < streams.pose.size(0); ++f) {
    for (int k = 0; k < c.num_keypoints; ++k) {
      frame[3 * k] = static_cast<float>(keypoints[f][2 * k] * c.pose.scale[0]);
      frame[3 * k + 1] = static_cast<float>(keypoints[f][2 * k + 1] * c.pose.scale[1]);
      frame[3 * k + 2] = 1.f;
    }
    stream.add_frame(static_cast<double>(f) / c.pose_rate_hz, frame, 1, 1);
    if (auto chunk = stream.step()) parts.push_back(chunk->emg);
  }
  if (auto chunk = stream.step(true)) parts.push_back(chunk->emg);
  return torch::cat(parts, 0);
}

PerformancePredictor streamed_predictor(const Estimator& estimator, double hop_s, bool incremental) {
  const EmgModel net = estimator.model("--stream-hop streams one model");
  PerformancePredictor offline = estimator_predictor(estimator);
  return [net, offline, hop_s, incremental](const CorpusPerformance& p) {
    PerformancePrediction out;
    out.offline = offline(p).emg;
    out.emg = predict_streamed(net, p.streams, hop_s, incremental);
    return out;
  };
}

}  // namespace pianokpm
