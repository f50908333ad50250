#pragma once
// PianoKPM Net's encoder as released: a pose path and a key path (Conv1dBlocks), summed, then
// time-depth-separable (TDS) stages. Shared by the released network and the linear read-out.
#include <torch/torch.h>

#include "model/blocks.h"
#include "model/model_config.h"

namespace pianokpm {

// Names: pose_conv.N, key_conv.N, tds_stages.N (as in the release's state dict).
class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const ModelConfig& config);
  // pose [B, views*21*2, pose_frames] (keypoint-major x,y; top view first; already normalised),
  // keys [B, 88, samples]; either may be undefined when the modality lacks it.
  // Returns features [B, F, samples], F = config.feature_channels().
  torch::Tensor forward(const torch::Tensor& pose, const torch::Tensor& keys);

 private:
  ModelConfig config_;
  torch::nn::ModuleList pose_conv_{nullptr}, key_conv_{nullptr}, tds_stages_{nullptr};
};
TORCH_MODULE(Encoder);

}  // namespace pianokpm
