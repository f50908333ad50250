#pragma once
// PianoKPM Net's encoder as released: a pose path and a key path (Conv1dBlocks), summed, then
// time-depth-separable (TDS) stages. Shared by the released network and the linear read-out.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "model/blocks.h"
#include "model/model_config.h"

namespace pianokpm {

struct TdsStageOptions {
  int conv_kernel = 17;             // Conv1dBlock kernel w (odd; padding (w-1)/2)
  int tds_kernel = 9;               // TDS conv kernel k along time (odd)
  int num_blocks = 2;               // [TDS conv block, TDS FC block] pairs
  std::optional<int> out_features;  // Linear projection over channels after the blocks
};

// The encoder's hyperparameters, defaults = the release (configs/model.json). JSON keys as there:
// hidden_channels, front_kernels, tds_channels, tds_width, stages, layer_norm_eps.
struct TdsEncoderOptions {
  int hidden_channels = 256;                 // encoder width = tds_channels * tds_width
  std::vector<int> front_kernels = {11, 5};  // Conv1dBlocks of the pose and key paths
  int tds_channels = 16;
  int tds_width = 16;
  std::vector<TdsStageOptions> stages = {{17, 9, 2, std::nullopt}, {9, 5, 2, 64}};
  double layer_norm_eps = 1e-5;

  int feature_channels() const;  // output width (the last projection, else hidden_channels)
  void check() const;            // throws std::invalid_argument naming the field
  // Into / from a JSON object that may hold other fields too (the decoder's, in PianoKPM Net's).
  void write(nlohmann::json& j) const;
  static TdsEncoderOptions read(const nlohmann::json& j);
};

// Names: pose_conv.N, key_conv.N, tds_stages.N (as in the release's state dict).
class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(const StreamLayout& layout, const TdsEncoderOptions& options);
  // pose [B, views*keypoints*2, pose_frames] (keypoint-major x,y; top view first; already
  // normalised), keys [B, num_keys, samples]; either may be undefined when the modality lacks it.
  // Returns features [B, F, samples], F = options.feature_channels().
  torch::Tensor forward(const torch::Tensor& pose, const torch::Tensor& keys);
  // The last `samples` columns of forward(pose, keys), computed from only the last samples +
  // context_samples() input columns (every layer pads with zeros, so a column further than that
  // from the cut sees the same inputs as in the whole window). 1 <= samples <= window_samples.
  torch::Tensor forward_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples);
  // How far, in samples, an output column reaches to either side: the sum of every layer's
  // kernel half-width (31 for the release).
  int64_t context_samples() const { return context_samples_; }

 private:
  // forward() on the inputs' last `span` columns at the key rate (the pose upsampled first, over
  // the whole window, so that its samples are the whole window's).
  torch::Tensor run(const torch::Tensor& pose, const torch::Tensor& keys, int64_t span);
  int64_t context_samples_ = 0;
  StreamLayout layout_;
  torch::nn::ModuleList pose_conv_{nullptr}, key_conv_{nullptr}, tds_stages_{nullptr};
};
TORCH_MODULE(Encoder);

}  // namespace pianokpm
