#pragma once
// ModelConfig: what every model shares (the streams it reads, its pose front end, what it was
// trained on) plus its architecture's name and that architecture's own hyperparameters, as JSON
// its model file parses (model/model_registry.h). Stored as JSON in our checkpoints and in
// configs/model.json, flat: {"architecture": "pianokpm", "pose_frames": 60, ..., "decoder_hidden": 512}.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/stream_layout.h"
#include "model/familiarity.h"

namespace pianokpm {

// Where a model reads keypoints from. "image": the camera's pixels as given (the release; the
// camera's placement, scale and angle become part of what the model learns). "hand": each
// frame in the hand's own frame (model/pose_front_end.h), identical for any camera translation,
// scale, in-plane rotation or mirroring. "palm": each frame in the affine frame the palm spans,
// identical for any affine map of the image, so a palm seen at a slant reads as seen square-on.
enum class PoseFrame { kImage, kHand, kPalm };
PoseFrame parse_pose_frame(const std::string& text);  // throws std::invalid_argument
std::string to_string(PoseFrame frame);

// How raw keypoints become what a model's layers read (model/pose_front_end.h), the same for
// every architecture. JSON keys: pose_frame, pose_scale, pose_mean, pose_std.
struct PoseInput {
  // "hand" and "palm" need the MediaPipe layout (21 keypoints) and scale [1, 1] (the hand's size is divided out).
  PoseFrame frame = PoseFrame::kImage;
  // Multiplies keypoint x and y. The release feeds MediaPipe's normalised 0..1 coordinates (1, 1);
  // models trained on pixel keypoints use 1/width, 1/height so pixels reach the network on 0..1.
  std::vector<double> scale = {1.0, 1.0};
  // Per-channel standardisation after scale, (pose - mean) / std, one value per pose channel;
  // empty (the release): none. Fitted on the training set when asked (TrainOptions::standardise_pose):
  // a pressing fingertip moves a few pixels while the hand moves hundreds.
  std::vector<double> mean;
  std::vector<double> std;
};

// What a model was trained on, stored with it, so that outputs made with it can say so wherever
// the file goes. JSON key: provenance (absent when nothing is known).
struct Provenance {
  bool synthetic_data = false;  // trained (or fine-tuned from a model trained) on pianokpm's synthetic corpus
  std::string corpus;           // the training data folder as given to the command
  std::string command;          // the command that trained it: "pianokpm train ...", "pianokpm adapt ..."

  bool empty() const { return !synthetic_data && corpus.empty() && command.empty(); }
  nlohmann::json to_json() const;
  static Provenance from_json(const nlohmann::json& j);  // throws std::invalid_argument naming the field
};

// A model's configuration. As a StreamLayout it is the layout the model reads (windows of
// window_seconds; the JSON stores counts per 1-s window: pose_frames, window_samples).
struct ModelConfig : StreamLayout {
  std::string architecture = "pianokpm";  // a name in model_names() (model/model_registry.h)
  // The architecture's own hyperparameters as JSON; missing ones take the model's defaults. Its model
  // file reads them (model_options<Options>(config), model/model_registry.h).
  nlohmann::json options = nlohmann::json::object();
  PoseInput pose;
  // What the training windows' pose looked like, for familiarity scores (model/familiarity.h);
  // empty for models trained before it existed.
  FamiliarityReference familiarity;
  Provenance provenance;

  const StreamLayout& layout() const { return *this; }
  // The same config for another architecture, keeping the options the two share (linear_readout
  // and pianokpm share the encoder's); throws std::invalid_argument for an unknown name.
  ModelConfig with_architecture(const std::string& name) const;
  // The same model (layout, front end, architecture, options, familiarity), whatever each says it was
  // trained on: a resumed or fine-tuned run continues a model whose provenance names another command.
  bool same_model_as(const ModelConfig& other) const;
  // Validates the shared fields, then the architecture's options. Throws std::invalid_argument
  // naming the first bad field.
  void check() const;

  nlohmann::json to_json() const;
  // Missing fields keep their defaults; unknown fields are an error (catches typos).
  static ModelConfig from_json(const nlohmann::json& j);
};

}  // namespace pianokpm
