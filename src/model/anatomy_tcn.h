#pragma once
// The anatomical estimate where a learned network cannot be trusted (architecture "anatomy_tcn"):
// the pose-rate TCN (model/baselines/pose_tcn.h), reading the musculoskeletal hand's estimate
// (model/anatomical_estimator.h) beside the pose, where the input looks like what it was trained
// on; the estimate itself where it does not.
//
// Per window:
//   est     = the anatomical estimator's envelope [B, 6, samples] (its own delay, tonic and effort);
//   learned = TCN(front end's pose ++ est at the pose frames (++ keys averaged onto the frames)),
//             [B, 6, F] resampled to the EMG rate as pose_tcn does;
//   fam     = min(1, familiarity / trust_familiarity) per window (model/familiarity.h), 1 when the
//             config has no familiarity reference or trust_familiarity is 0;
//   view    = 0..1, 1 where the estimate's view holds (the hand seen square-on, below);
//   trust   = 1 - (1 - fam) * view, the network's share;
//   EMG     = trust * learned + (1 - trust) * est.
// A window unlike the training windows (a hand unlike the training hands, a camera never seen)
// seen square-on gets the anatomical estimator's envelope: anatomy extrapolates, a network trained on one
// simulator does not. Training windows nearly all have trust 1 (familiarity is about uniform on
// 0..1 over them), so the network learns as pose_tcn does, with the estimate as a further input.
// The estimate takes the palm as parallel to the image (model/anatomical_estimator.h). Its tilt is
// judged from the palm's shape in the image: width (index to little knuckle) over length (wrist to
// middle knuckle), r, against square_palm_aspect, s: tilt = acos(min(r / s, s / r)), the median
// over the window's frames with a hand (0 without any: the estimate's rest). view is 1 up to
// estimate_full_tilt_deg, 0 beyond estimate_none_tilt_deg, linear between (the two equal: 1 up to
// it, 0 beyond; 90 and 90: the estimate wherever unfamiliar, as checkpoints trained before the
// check did unless their config says otherwise: the defaults apply to them). A camera in front of the
// hand (a music stand) foreshortens the palm's length: neither the network nor the estimate is to
// be trusted there (the familiarity warning says so), and the network is the nearer
// (docs/results.md, "Any camera").
// Names: pose_tcn's stem, norms.N, convs.N, norm, head.
#include <torch/torch.h>

#include "model/anatomical_estimator.h"
#include "model/baselines/pose_tcn.h"
#include "model/emg_model.h"

namespace pianokpm {

struct AnatomyTcnOptions {
  PoseTcnOptions tcn;         // "width", "dilations"
  AnatomicalOptions anatomy;  // "anatomy": {...}
  // Windows at least this familiar get the network's output alone; below, the estimate takes over
  // linearly where the view holds, alone at 0 (0: the network everywhere). The default is where
  // familiarity calls a window unfamiliar.
  double trust_familiarity = 0.01;
  // The palm's width / length in the image when it is square to the camera: between simulated
  // pianists seen from above (0.60, median) and a flat adult hand photographed (0.72).
  double square_palm_aspect = 0.66;
  double estimate_full_tilt_deg = 30;  // (a flat hand photographed from above: 16-31 deg)
  double estimate_none_tilt_deg = 40;  // (simulated music-stand cameras: median 54 deg)

  void check(const StreamLayout& layout) const;
  nlohmann::json to_json() const;
  static AnatomyTcnOptions from_json(const nlohmann::json& j);
};

class AnatomyTcnNetImpl : public EmgModelImpl {
 public:
  explicit AnatomyTcnNetImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG
  std::string unfamiliar_fallback() const override;                                     // empty when trust is 1 everywhere

  // [B] float64 0..1: the network's share of the output for each window of raw pose [B, C, F].
  torch::Tensor trust(const torch::Tensor& pose) const { return trust_of(pose, normalised_pose(pose)); }

 private:
  // Whether any window can get the estimate: a familiarity reference and trust_familiarity > 0.
  bool falls_back() const;
  // The same with the front end's features [B, C, F] (normalised_pose), computed once per window.
  torch::Tensor trust_of(const torch::Tensor& pose, const torch::Tensor& features) const;

  AnatomyTcnOptions options_;
  PoseTcnLayers layers_;
};

}  // namespace pianokpm
