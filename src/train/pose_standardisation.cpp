#include "train/pose_standardisation.h"

#include <cmath>
#include <stdexcept>

namespace pianokpm {

PoseStatistics pose_statistics(const std::vector<CorpusPerformance>& performances, const ModelConfig& config) {
  const int64_t channels = config.pose_channels();
  torch::Tensor sum = torch::zeros({channels}, torch::kDouble);
  torch::Tensor sum_sq = torch::zeros({channels}, torch::kDouble);
  int64_t frames = 0;
  for (const auto& p : performances) {
    if (!p.streams.pose.defined()) continue;
    const torch::Tensor pose = p.streams.pose.to(torch::kDouble);
    sum += pose.sum(0);
    sum_sq += pose.square().sum(0);
    frames += pose.size(0);
  }
  if (frames == 0) throw std::invalid_argument("pose standardisation: the training set has no pose frames");
  // pose_scale multiplies x (even channels) and y (odd channels) first
  const torch::Tensor scale = torch::tensor(config.pose_scale, torch::kDouble).repeat({channels / 2});
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
  config.pose_mean = std::move(stats.mean);
  config.pose_std = std::move(stats.std);
  config.check();
  return config;
}

}  // namespace pianokpm
