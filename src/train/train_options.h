#pragma once
// Training hyperparameters; the defaults are the released training setup (AdamW 1e-4, StepLR 20 x0.5,
// clip 1.0, batch 64, 200 epochs, seed 42, patience 50, MSE + 1.0 x Sinkhorn).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pianokpm {

struct TrainOptions {
  int epochs = 200;
  int64_t batch = 64;
  double lr = 1e-4;            // AdamW
  double weight_decay = 0.01;  // AdamW's default
  int lr_step_epochs = 20;     // StepLR
  double lr_gamma = 0.5;
  double grad_clip_norm = 1.0;
  uint64_t seed = 42;
  int patience_epochs = 50;           // early stopping on validation loss
  double lambda_ot = 1.0;             // L = MSE + lambda * Sinkhorn
  int64_t overlap_samples = 256;      // training windows overlap (256 samples = 15 frames)
  int64_t max_batches_per_epoch = 0;  // 0: all; a cap makes short CPU runs possible
  // > 0: each epoch's validation scores this many windows, evenly spaced over the validation set
  // (the same ones every epoch); 0: all. Scoring every window can cost more than the epoch's training.
  int64_t max_val_windows = 0;
  std::string device = "cpu";
  // Standardise each pose channel by the training set's mean and deviation, stored in the model
  // config (pose_mean/pose_std) so prediction applies the same. The release feeds raw 0..1
  // coordinates (false).
  bool standardise_pose = false;
  // Also keep every epoch's weights as RUN/epochs/epoch_NNN.pt, for `pianokpm average`.
  bool keep_epochs = false;
  // > 0: the loss sees only the last N samples of each window. `pianokpm live` keeps only each
  // window's newest hop (102-103 samples at 100 ms), where the encoder sees no later frames.
  int64_t loss_tail_samples = 0;
  // Start from this checkpoint's weights (fine-tuning); the run's model config must be its config.
  // Before the first epoch the starting weights are scored on the validation set and kept as
  // best.pt, so that fine-tuning never ends worse on that set than where it started.
  std::string init_model;
  // Train only parameters whose names start with one of these (e.g. "decoder."); empty: all.
  std::vector<std::string> trainable;
  // > 0: train on the first this many minutes of the training set, in the split file's order
  // (the last performance used is cut); 0: all of it.
  double train_minutes = 0;
  // > 0: this share of training windows has its top view filmed again through a camera drawn
  // afresh from the corpus's 3D hand (train/view_augmentation.h; corpora from synth --cameras
  // varied); view_augmentation_cameras: "training" (the training performances' camera families)
  // or "any" (every family).
  double view_augmentation = 0;
  std::string view_augmentation_cameras = "training";

  void check() const;  // throws std::invalid_argument naming the field
  nlohmann::json to_json() const;
  // Missing fields keep their defaults; unknown ones are an error.
  static TrainOptions from_json(const nlohmann::json& j);
};

}  // namespace pianokpm
