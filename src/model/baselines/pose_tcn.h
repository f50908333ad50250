#pragma once
// Pose-rate temporal convolutional network (architecture "pose_tcn"): the cheap model for one
// camera. It works at the camera's frame rate (60 per window) instead of the keystroke rate (1024),
// so a step costs a small fraction of the others' and its receptive field spans about half a
// second (a finger's preparation, press and release, and the electromechanical delay between).
// The envelope is band-limited to about 10 Hz, so 60 values per second carry it; they are
// resampled to the keystroke rate at the end (linear, align_corners, as the pose is upsampled
// elsewhere). Keys, when the modality reads them, are averaged onto the pose frames.
//
//   pose [B, C, F] -> front end (pose_front_end.h) -> stem Conv1d(C (+88), W, 5)
//     -> residual blocks: LayerNorm over channels, GELU, Conv1d(W, W, 3, dilation d), + skip, one per
//        d in options.dilations (1, 2, 4, 8, 1, 2, 4, 8)
//     -> LayerNorm, GELU, Conv1d(W, emg, 1) -> [B, emg, F] -> linear resampling -> [B, emg, samples]
// Each output frame sees 32 frames to either side (about +-0.53 s) and nothing beyond: the norms
// work per frame. Names: stem, norms.N, convs.N, norm, head. No mode-dependent layers.
#include <torch/torch.h>

#include "model/emg_model.h"

namespace pianokpm {

struct PoseTcnOptions {
  int width = 128;                                        // channels of the residual blocks
  std::vector<int> dilations = {1, 2, 4, 8, 1, 2, 4, 8};  // one residual block each; 65 frames seen with these

  void check(const StreamLayout& layout) const;
  nlohmann::json to_json() const;
  static PoseTcnOptions from_json(const nlohmann::json& j);
};

// The network's layers from the stem to the head, registered on `owner` under the names above, so
// that a model built on them (model/anatomy_tcn.h) names its parameters as pose_tcn does.
struct PoseTcnLayers {
  torch::nn::Conv1d stem{nullptr}, head{nullptr};
  torch::nn::ModuleList norms{nullptr}, convs{nullptr};
  torch::nn::LayerNorm norm{nullptr};

  PoseTcnLayers() = default;
  PoseTcnLayers(torch::nn::Module& owner, int in_channels, const PoseTcnOptions& options, int out_channels);
  torch::Tensor forward(const torch::Tensor& x);  // [B, in_channels, F] -> [B, out_channels, F]
  // The whole pose-rate path: inputs, each [B, C_i, frames], then keys [B, num_keys, samples]
  // averaged onto the frames (left out when undefined), through forward(), resampled to `samples`
  // (linear, align_corners) -> [B, out_channels, samples].
  torch::Tensor forward_to_samples(std::vector<torch::Tensor> inputs, const torch::Tensor& keys, int64_t frames, int64_t samples);
};

class PoseTcnNetImpl : public EmgModelImpl {
 public:
  explicit PoseTcnNetImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG

 private:
  PoseTcnLayers layers_;
};

}  // namespace pianokpm
