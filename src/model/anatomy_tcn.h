#pragma once
// The anatomical estimate corrected by a learned network (architecture "anatomy_tcn"): the
// musculoskeletal hand's muscle activity (model/anatomical_estimator.h) plus a correction the
// pose-rate TCN (model/baselines/pose_tcn.h) learns from EMG, applied only where the input looks
// like what it was trained on.
//
// Per window:
//   est   = the anatomical estimator's envelope [B, 6, samples] (its own delay, tonic and effort);
//   fix   = TCN(front end's pose ++ est at the pose frames (++ keys averaged onto the frames)),
//           [B, 6, F] resampled to the EMG rate as pose_tcn does;
//   trust = min(1, familiarity / trust_familiarity) per window (model/familiarity.h), 1 when the
//           config has no familiarity reference or trust_familiarity is 0;
//   EMG   = est + trust * fix.
// Where a window is unfamiliar (a hand unlike the training hands, a camera never seen) the learned
// correction fades out and the output is the anatomical estimator's: anatomy extrapolates, a
// network trained on one simulator does not. The head starts at zero, so an untrained model is the
// estimator.
// Names: pose_tcn's stem, norms.N, convs.N, norm, head.
#include <torch/torch.h>

#include "model/anatomical_estimator.h"
#include "model/baselines/pose_tcn.h"
#include "model/emg_model.h"

namespace pianokpm {

struct AnatomyTcnOptions {
  PoseTcnOptions tcn;         // "width", "dilations"
  AnatomicalOptions anatomy;  // "anatomy": {...}
  // The learned correction applies in full to windows at least this familiar, fading linearly to
  // none at 0 (0: in full everywhere). The default is where familiarity calls a window unfamiliar.
  double trust_familiarity = 0.01;

  void check(const StreamLayout& layout) const;
  nlohmann::json to_json() const;
  static AnatomyTcnOptions from_json(const nlohmann::json& j);
};

class AnatomyTcnNetImpl : public EmgModelImpl {
 public:
  explicit AnatomyTcnNetImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG

  // [B] float64 0..1: how much of the learned correction each window of raw pose [B, C, F] gets.
  torch::Tensor trust(const torch::Tensor& pose) const;

 private:
  AnatomyTcnOptions options_;
  PoseTcnLayers layers_;
};

}  // namespace pianokpm
