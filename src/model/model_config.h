#pragma once
// ModelConfig: every hyperparameter of PianoKPM Net, defaults = the released configuration
// (configs/model.json holds the same values). Stored as JSON in our checkpoints and in configs/model.json.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pianokpm {

// Which input streams feed the fusion sum. The release uses both; an absent branch drops out.
enum class Modality { kPoseAndKeys, kPoseOnly, kKeysOnly };

Modality parse_modality(const std::string& text);  // "pose+keys" | "pose" | "keys"
std::string to_string(Modality modality);
inline bool uses_pose(Modality m) { return m != Modality::kKeysOnly; }
inline bool uses_keys(Modality m) { return m != Modality::kPoseOnly; }

struct TdsStageConfig {
  int conv_kernel = 17;                // Conv1dBlock kernel w (odd; padding (w-1)/2)
  int tds_kernel = 9;                  // TDS conv kernel k along time (odd)
  int num_blocks = 2;                  // [TDS conv block, TDS FC block] pairs
  std::optional<int> out_features;     // Linear projection over channels after the blocks
};

// The released network and the baselines the paper compares against, trained and evaluated by
// the same commands: "pianokpm" (encoder + autoregressive decoder, as released),
// "linear_readout" (the encoder with a per-step Linear read-out instead of the decoder),
// "neuropose" (a convolutional encoder-decoder in the style of NeuroPose), "mean" (predicts the
// training set's mean envelope).
const std::vector<std::string>& architectures();

struct ModelConfig {
  std::string architecture = "pianokpm";
  Modality modality = Modality::kPoseAndKeys;
  int num_views = 2;                   // camera views, top first
  int num_keypoints = 21;              // MediaPipe hand layout
  int num_keys = 88;                   // piano keys A0..C8
  int pose_frames = 60;                // pose frames per window (60 fps, 1 s)
  int window_samples = 1024;           // keystroke/EMG samples per window
  int hidden_channels = 256;           // encoder width = tds_channels * tds_width
  std::vector<int> front_kernels = {11, 5};  // Conv1dBlocks of the pose and key paths
  int tds_channels = 16;
  int tds_width = 16;
  std::vector<TdsStageConfig> stages = {{17, 9, 2, std::nullopt}, {9, 5, 2, 64}};
  double layer_norm_eps = 1e-5;
  int decoder_hidden = 512;            // autoregressive MLP width
  int emg_channels = 6;                // ADM, PB, 1DI, 2DI, 3DI, 4DI
  double decoder_output_scale = 0.01;  // e_t = scale * MLP([h_t, e_{t-1}])
  double leaky_relu_slope = 0.01;
  // Multiplies keypoint x and y before the network. The release feeds MediaPipe's normalised
  // 0..1 coordinates (1, 1); models trained on pixel keypoints use 1/width, 1/height so that
  // pixel inputs reach the network on the same 0..1 scale.
  std::vector<double> pose_scale = {1.0, 1.0};
  // Per-channel standardisation after pose_scale, (pose - mean) / std, one value per pose
  // channel; empty (the release): none. Training computes them from the training set when asked
  // (TrainOptions::standardise_pose): a pressing fingertip moves a few pixels while the hand
  // moves hundreds, and on the 0..1 scale that signal is too small for the first layer to learn.
  std::vector<double> pose_mean;
  std::vector<double> pose_std;

  int pose_channels() const { return num_views * num_keypoints * 2; }
  int feature_channels() const;  // encoder output width (last projection)
  // Throws std::invalid_argument naming the first bad field.
  void check() const;

  nlohmann::json to_json() const;
  // Missing fields keep their defaults; unknown fields are an error (catches typos).
  static ModelConfig from_json(const nlohmann::json& j);
};

// Muscle channel order of every EMG output, as in the release: ADM, PB, 1DI, 2DI, 3DI, 4DI.
const std::vector<std::string>& emg_channel_names();

}  // namespace pianokpm
