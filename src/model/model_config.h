#pragma once
// ModelConfig: every hyperparameter of PianoKPM Net, defaults = the released configuration
// (configs/model.json holds the same values). Stored as JSON in our checkpoints and in configs/model.json.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "io/stream_layout.h"
#include "model/familiarity.h"

namespace pianokpm {

struct TdsStageConfig {
  int conv_kernel = 17;             // Conv1dBlock kernel w (odd; padding (w-1)/2)
  int tds_kernel = 9;               // TDS conv kernel k along time (odd)
  int num_blocks = 2;               // [TDS conv block, TDS FC block] pairs
  std::optional<int> out_features;  // Linear projection over channels after the blocks
};

// The released network and the baselines the paper compares against, trained and evaluated by
// the same commands; each is one class behind model/emg_model.h, made by model/model_factory.h.
enum class Architecture {
  kPianoKpm,       // "pianokpm": TDS encoder + autoregressive decoder, as released
  kLinearReadout,  // "linear_readout": the same encoder with a per-step Linear read-out
  kNeuroPose,      // "neuropose": a convolutional encoder-decoder in the style of NeuroPose
  kMean,           // "mean": predicts the training set's mean envelope
  kCodeTalker,     // "codetalker": VQ-VAE codebook of EMG motifs + a code-predicting transformer
  kPoseTcn,        // "pose_tcn": a temporal convolutional network at the pose rate (one camera, cheap)
};
Architecture parse_architecture(const std::string& text);  // throws std::invalid_argument
std::string to_string(Architecture architecture);
const std::vector<std::string>& architectures();  // every name parse_architecture accepts

// The CodeTalker-style baseline (model/baselines/codetalker.h). Stage 1 learns a codebook of
// short EMG motifs (a VQ-VAE over EMG windows); stage 2 learns to predict the code sequence from
// pose and keys, decoded by stage 1's decoder. One code covers 2^downsample_log2 samples.
struct CodeTalkerConfig {
  int codebook_size = 64;   // motifs in the codebook
  int code_dim = 64;        // width of a code vector
  int downsample_log2 = 5;  // stride-2 stages: 1024 samples -> 32 codes per window
  int vae_channels = 64;    // width of the VQ-VAE's convolutions
  int model_dim = 128;      // transformer width
  int heads = 4;
  int layers = 2;  // transformer decoder layers (causal self- and cross-attention)
  int feedforward = 256;
  double commitment = 0.25;     // beta in ||z - sg[e]||^2 (the encoder's commitment to its code)
  double vq_stage_share = 0.5;  // share of the run's epochs spent on stage 1 (the VQ-VAE)

  void check() const;  // throws std::invalid_argument naming the field
  nlohmann::json to_json() const;
  static CodeTalkerConfig from_json(const nlohmann::json& j);
};

// Where a model reads keypoints from. "image": the camera's pixels as given (the release; the
// camera's placement, scale and angle become part of what the model learns). "hand": each
// frame in the hand's own frame (model/pose_front_end.h), identical for any camera translation,
// scale, in-plane rotation or mirroring.
enum class PoseFrame { kImage, kHand };
PoseFrame parse_pose_frame(const std::string& text);  // throws std::invalid_argument
std::string to_string(PoseFrame frame);

struct ModelConfig {
  Architecture architecture = Architecture::kPianoKpm;
  Modality modality = Modality::kPoseAndKeys;
  int num_views = 2;                         // camera views, top first
  int num_keypoints = 21;                    // MediaPipe hand layout
  int num_keys = 88;                         // piano keys A0..C8
  int pose_frames = 60;                      // pose frames per window (60 fps, 1 s)
  int window_samples = 1024;                 // keystroke/EMG samples per window
  int hidden_channels = 256;                 // encoder width = tds_channels * tds_width
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
  // "hand" needs the MediaPipe layout (21 keypoints) and pose_scale [1, 1] (scale is divided out).
  PoseFrame pose_frame = PoseFrame::kImage;
  // What the training windows' pose looked like, for familiarity scores (model/familiarity.h);
  // empty for models trained before it existed.
  FamiliarityReference familiarity;
  // Trained on pianokpm's synthetic corpus, so that outputs made with it say so wherever the file
  // goes (an exported state dict's config carries it; the shipped models are known by file name).
  bool trained_on_synthetic_data = false;
  CodeTalkerConfig codetalker;  // read by the codetalker architecture only

  int pose_channels() const { return num_views * num_keypoints * 2; }
  // The streams this model reads (its windows are 1 s long). The conversion lets a config be
  // passed wherever data/ asks for a layout.
  StreamLayout layout() const;
  operator StreamLayout() const { return layout(); }  // NOLINT(google-explicit-constructor)
  int feature_channels() const;                       // encoder output width (last projection)
  // Throws std::invalid_argument naming the first bad field.
  void check() const;

  nlohmann::json to_json() const;
  // Missing fields keep their defaults; unknown fields are an error (catches typos).
  static ModelConfig from_json(const nlohmann::json& j);
};

// Muscle channel order of every EMG output (io/stream_layout.h): ADM, PB, 1DI, 2DI, 3DI, 4DI.
inline const std::vector<std::string>& emg_channel_names() { return muscle_names(); }

}  // namespace pianokpm
