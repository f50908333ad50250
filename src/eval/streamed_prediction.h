#pragma once
// Evaluating a model as `pianokpm live` runs it (eval --stream-hop): a recorded performance fed
// frame by frame to the stream predictor (predict/stream_predictor.h), one window per hop ending at
// the newest frame, keystrokes sliced up to that frame; scored beside the offline prediction.
#include <torch/torch.h>

#include "data/performance.h"
#include "eval/split_evaluation.h"
#include "model/emg_model.h"
#include "predict/estimator.h"

namespace pianokpm {

// The rows live would emit for `streams` (pose [T, keypoints * 2] of one view in the file's units,
// keys [N, 88] or undefined) with a hop of `hop_s`: EMG [rows, emg_channels] float32 at the EMG
// rate; `incremental` as StreamOptions::incremental. std::invalid_argument for a model that reads
// no pose, or a hop live refuses.
torch::Tensor predict_streamed(const EmgModel& net, const PerformanceStreams& streams, double hop_s, bool incremental = true);

// A predictor whose `emg` is predict_streamed and whose `offline` is the whole-window prediction,
// for the estimator's one model (InputError naming its file for an ensemble). `estimator` must
// outlive the predictor.
PerformancePredictor streamed_predictor(const Estimator& estimator, double hop_s, bool incremental = true);

}  // namespace pianokpm
