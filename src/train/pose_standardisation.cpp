#include "train/pose_standardisation.h"

#include <cmath>
#include <stdexcept>

#include "data/windowing.h"
#include "model/familiarity.h"
#include "model/pose_front_end.h"

namespace pianokpm {

namespace {

constexpr double kMostlyHeld = 0.5;  // share of a window's frames that repeat the previous one

// A whole performance's pose [T, C] in the frame the model reads (the hand frame's handedness
// then decided over the whole performance), [T, C].
torch::Tensor model_frame_pose(const torch::Tensor& pose, const ModelConfig& config) {
  if (config.pose.frame == PoseFrame::kImage) return pose;
  return model_frame(config, pose.t().unsqueeze(0)).squeeze(0).t();
}

}  // namespace

PoseStatistics pose_statistics(const std::vector<CorpusPerformance>& performances, const ModelConfig& config) {
  const int64_t channels = config.pose_channels();
  torch::Tensor sum = torch::zeros({channels}, torch::kDouble);
  torch::Tensor sum_sq = torch::zeros({channels}, torch::kDouble);
  int64_t frames = 0;
  for (const auto& p : performances) {
    if (!p.streams.pose.defined()) continue;
    const torch::Tensor pose = model_frame_pose(p.streams.pose.to(torch::kDouble), config);
    sum += pose.sum(0);
    sum_sq += pose.square().sum(0);
    frames += pose.size(0);
  }
  if (frames == 0) throw std::invalid_argument("pose standardisation: the training set has no pose frames");
  // pose_scale multiplies x (even channels) and y (odd channels) first (the hand and palm frames have none)
  const std::vector<double> pose_scale =
      config.pose.frame != PoseFrame::kImage ? std::vector<double>{1.0, 1.0} : config.pose.scale;
  const torch::Tensor scale = torch::tensor(pose_scale, torch::kDouble).repeat({channels / 2});
  const torch::Tensor mean = sum / static_cast<double>(frames);
  const torch::Tensor variance = (sum_sq / static_cast<double>(frames) - mean.square()).clamp_min(0.0);
  torch::Tensor std = variance.sqrt() * scale;
  // A channel that never moves carries nothing to standardise; 1 keeps it finite.
  std = torch::where(std > 1e-12 * scale, std, torch::ones_like(std));
  PoseStatistics stats;
  const torch::Tensor scaled_mean = (mean * scale).contiguous();
  stats.mean.assign(scaled_mean.data_ptr<double>(), scaled_mean.data_ptr<double>() + channels);
  stats.std.assign(std.data_ptr<double>(), std.data_ptr<double>() + channels);
  return stats;
}

ModelConfig with_standardised_pose(ModelConfig config, const std::vector<CorpusPerformance>& performances) {
  PoseStatistics stats = pose_statistics(performances, config);
  config.pose.mean = std::move(stats.mean);
  config.pose.std = std::move(stats.std);
  config.check();
  return config;
}

ModelConfig with_familiarity_reference(ModelConfig config, const std::vector<CorpusPerformance>& performances) {
  const int64_t frames = config.pose_frames();
  // Neighbours from every other performance, calibration from the rest: the calibration then asks
  // how far a new performance's windows lie from the training ones, not a window from its own.
  std::vector<torch::Tensor> halves[2];
  for (size_t i = 0; i < performances.size(); ++i) {
    const auto& p = performances[i];
    if (!p.streams.pose.defined() || p.streams.pose.size(0) < frames) continue;
    // the performance's whole windows, as prediction cuts them: [W, C, frames]
    const torch::Tensor pose = whole_windows(p.streams.pose, frames);
    // Frames the tracker lost repeat the last coordinates exactly; windows that are mostly such
    // frames are no picture of a hand and would teach the reference that a frozen track is normal.
    const torch::Tensor held = pose.diff(1, 2).abs().amax(1).eq(0).to(torch::kFloat).mean(1);  // [W] share of held frames
    const torch::Tensor tracked = held.le(kMostlyHeld).nonzero().squeeze(1);
    if (tracked.numel() == 0) continue;
    halves[i % 2].push_back(window_descriptors(pose_features(config, pose.index_select(0, tracked))));
  }
  if (halves[0].empty())
    throw std::invalid_argument("familiarity: the training set has no whole pose window with a tracked hand");
  torch::Tensor neighbours = torch::cat(halves[0], 0);
  torch::Tensor calibration = halves[1].empty() ? torch::Tensor() : torch::cat(halves[1], 0);
  if (!calibration.defined()) {  // one performance: its windows in turn
    calibration = neighbours.slice(0, 1, neighbours.size(0), 2);
    neighbours = neighbours.slice(0, 0, neighbours.size(0), 2);
  }
  const FamiliarityFitOptions fit;
  if (neighbours.size(0) <= fit.nearest || calibration.size(0) < 2)
    throw std::invalid_argument("familiarity: the training set has too few whole pose windows with a tracked hand");
  config.familiarity = fit_familiarity(neighbours, calibration, fit);
  config.check();
  return config;
}

}  // namespace pianokpm
