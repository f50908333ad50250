#pragma once
// The one interface every EMG model implements: the released PianoKPM Net (model/pianokpm_net.h)
// and each baseline (model/baselines/). Prediction, training, evaluation, live streaming and the
// Python module see only this; make_model (model/model_registry.h) makes the right one from a ModelConfig.
//
// Shapes, per batch of B windows of one config (config()):
//   pose  [B, views*keypoints*2, pose_frames]  raw keypoints (x, y keypoint-major, top view
//                                               first); undefined when the modality has none
//   keys  [B, num_keys, window_samples]        key depth 0..1 at the keystroke/EMG rate;
//                                               undefined when the modality has none
//   EMG   [B, emg_channels, window_samples]    envelopes, channel order muscle_names()
// A model's outputs do not depend on torch's train/eval mode (no dropout, no batch statistics),
// so a caller may predict with a model it is training.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace pianokpm {

class EmgModelImpl : public torch::nn::Module {
 public:
  explicit EmgModelImpl(const ModelConfig& config);
  ~EmgModelImpl() override = default;

  const ModelConfig& config() const { return config_; }
  Modality modality() const { return config_.modality; }
  int num_views() const { return config_.num_views; }
  // Where the model's tensors are (the CPU for a model without any).
  torch::Device device() const;

  // Windows to features [B, F, window_samples]: the part of the model that gains from small
  // batches. Models without a separate decoder return the EMG here.
  virtual torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) = 0;
  // Features to EMG [B, emg_channels, window_samples]; the part that gains from large batches.
  // Default: the features are the EMG.
  virtual torch::Tensor decode(const torch::Tensor& features) { return features; }
  torch::Tensor forward(const torch::Tensor& pose, const torch::Tensor& keys) { return decode(encode(pose, keys)); }

  // Training schedule. Most models train in one stage on the trainer's loss of forward(). A model
  // with stages of its own (CodeTalker: first its VQ-VAE, then its code predictor) says which
  // stage an epoch belongs to and gives each stage's loss.
  virtual int training_stage(int /*epoch*/, int /*epochs*/) const { return 0; }
  // Name prefixes of the parameters `stage` trains; empty: all of them.
  virtual std::vector<std::string> stage_parameters(int /*stage*/) const { return {}; }
  // Whether `stage` trains on a loss of the model's own (stage_loss) rather than the trainer's
  // (MSE + lambda * Sinkhorn on forward()).
  virtual bool has_own_loss(int /*stage*/) const { return false; }
  // That loss on a batch, a scalar; emg [B, emg_channels, window_samples] is the measured EMG.
  virtual torch::Tensor stage_loss(int stage, const torch::Tensor& pose, const torch::Tensor& keys, const torch::Tensor& emg);

  // Models fitted in closed form rather than by gradient descent (the mean predictor) say so: the
  // trainer then calls fit_closed_form once with the training recordings' EMG, each [T, emg_channels],
  // instead of running epochs.
  virtual bool fits_in_closed_form() const { return false; }
  virtual void fit_closed_form(const std::vector<torch::Tensor>& emg);  // default: throws std::logic_error
  // Whether the outputs depend on the pose (the trainer fits pose statistics and the familiarity
  // reference only then).
  virtual bool reads_pose() const { return uses_pose(modality()); }
  // What the model gives where its input is unfamiliar (model/familiarity.h) instead of its
  // network's extrapolation, as a clause for warnings; empty: the network's own output.
  virtual std::string unfamiliar_fallback() const { return {}; }

  // Streaming (predict/stream_predictor.h). A model whose output at a sample depends only on the
  // inputs near it and on its own previous output says streams(); stream_tail then gives a
  // window's newest `samples` outputs [B, emg_channels, samples] at a cost that grows with
  // `samples`, not the window: its inputs as forward()'s, and previous_emg [B, emg_channels] the
  // output of the sample before them (where an autoregressive decoder continues from; ignored by
  // models without one). The default stream_tail throws std::logic_error.
  virtual bool streams() const { return false; }
  virtual torch::Tensor stream_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples,
                                    const torch::Tensor& previous_emg);

  // Fine-tuning one part (pianokpm adapt --part): name prefixes of the parameters of `part`,
  // "encoder" or "decoder"; empty for "all". Throws std::invalid_argument for a part the model
  // does not have (the default has neither encoder nor decoder apart).
  virtual std::vector<std::string> part_parameters(const std::string& part) const;

 protected:
  // The config's pose front end (model/pose_front_end.h): the hand frame when chosen, pose_scale,
  // then pose_mean/pose_std when present; undefined stays undefined.
  torch::Tensor normalised_pose(const torch::Tensor& pose) const;
  // The inputs the modality asks for, on one time axis: the normalised pose resampled from
  // pose_frames to window_samples (linear, align_corners, as released) stacked over channels with
  // the keys; [B, views*keypoints*2 + num_keys (as present), window_samples]. Throws naming the
  // input the modality needs but did not get.
  torch::Tensor inputs_at_key_rate(const torch::Tensor& pose, const torch::Tensor& keys) const;

 private:
  ModelConfig config_;
};

using EmgModel = std::shared_ptr<EmgModelImpl>;

}  // namespace pianokpm
