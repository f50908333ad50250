#pragma once
// What a model learns about its training set's pose before training: the per-channel mean and
// standard deviation its pose_mean/pose_std standardise inputs with (model_config.h), and the
// familiarity reference that later says how unusual an input is (model/familiarity.h).
#include <vector>

#include "data/corpus_dataset.h"
#include "model/model_config.h"

namespace pianokpm {

struct PoseStatistics {
  std::vector<double> mean;  // one per pose channel, in the config's pose frame after its pose_scale
  std::vector<double> std;   // population standard deviation; 1 for a channel that never moves
};

// Over every frame of every performance (float64 sums). Throws std::invalid_argument when no
// performance carries pose.
PoseStatistics pose_statistics(const std::vector<CorpusPerformance>& performances, const ModelConfig& config);

// `config` with pose_mean/pose_std set from `performances`.
ModelConfig with_standardised_pose(ModelConfig config, const std::vector<CorpusPerformance>& performances);

// `config` with its familiarity reference (model/familiarity.h) fitted on the whole pose windows
// of `performances`, as the config's front end and standardisation present them: neighbours from
// every other performance, calibration from the others. Windows where more than half the frames
// repeat the previous one exactly (a lost track holding its last keypoints) are left out. Throws
// std::invalid_argument when too few windows are left.
ModelConfig with_familiarity_reference(ModelConfig config, const std::vector<CorpusPerformance>& performances);

}  // namespace pianokpm
