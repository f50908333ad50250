#pragma once
// Per-channel mean and standard deviation of the pose streams of a training set, the values a
// model's pose_mean/pose_std standardise its inputs with (model_config.h).
#include <vector>

#include "data/corpus_dataset.h"
#include "model/model_config.h"

namespace pianokpm {

struct PoseStatistics {
  std::vector<double> mean;  // one per pose channel, after the config's pose_scale
  std::vector<double> std;   // population standard deviation; 1 for a channel that never moves
};

// Over every frame of every performance (float64 sums). Throws std::invalid_argument when no
// performance carries pose.
PoseStatistics pose_statistics(const std::vector<CorpusPerformance>& performances, const ModelConfig& config);

// `config` with pose_mean/pose_std set from `performances`.
ModelConfig with_standardised_pose(ModelConfig config, const std::vector<CorpusPerformance>& performances);

}  // namespace pianokpm
