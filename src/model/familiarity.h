#pragma once
// How familiar a window's pose is to a model: how unusual it would have been among the windows
// the model was trained on. A window is described by each pose channel's mean and spread over the
// window (after the model's own front end and standardisation, model/pose_front_end.h), so a hand
// held still, keypoints that are not a hand, a hand seen edge-on or a camera the model never saw
// all stand out, while a camera change the front end removes does not.
//
// Training data come from many cameras and hands, so what it looked like is many clusters, not one:
// the reference keeps a sample of training windows, and a window's distance is the root-mean-square
// difference of its z-scored descriptor from its k-th nearest reference window. The distances of
// training windows from other performances than the sampled ones calibrate it:
// familiarity = the share of those windows at least as far as this one, about uniform on 0..1 for a
// new performance like the training ones, 0 beyond the farthest.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <vector>

namespace pianokpm {

struct FamiliarityOptions {
  // Below this a window is "unfamiliar" (1% of training windows lie further out).
  double unfamiliar_below = 0.01;
  // A performance is reported unfamiliar when more than this share of its windows is.
  double warn_share = 0.1;

  void check() const;  // throws std::invalid_argument naming the bad field
};

// What the training windows looked like: the mean and standard deviation of each descriptor entry,
// a sample of z-scored training descriptors, and the quantiles 0, 1, ..., 100 % of the calibration
// windows' distances (familiarity_distance()).
struct FamiliarityReference {
  std::vector<double> mean, std;           // per descriptor entry, over all training windows
  std::vector<double> neighbours;          // [sample, entries] z-scored, row-major
  int64_t nearest = 3;                     // the distance is to the nearest-th closest neighbour
  std::vector<double> distance_quantiles;  // 101 values, non-decreasing
  int64_t windows = 0;                     // how many training windows they come from

  int64_t neighbour_count() const { return mean.empty() ? 0 : static_cast<int64_t>(neighbours.size() / mean.size()); }

  bool empty() const { return mean.empty(); }
  // Throws std::invalid_argument unless sizes match `descriptor_size` and values are valid.
  void check(int64_t descriptor_size) const;
  nlohmann::json to_json() const;
  static FamiliarityReference from_json(const nlohmann::json& j);
};

// features [B, C, F] (a model's pose after its front end) -> descriptors [B, 2C] float64: per
// channel the mean over the F frames, then log(standard deviation + 1e-3).
torch::Tensor window_descriptors(const torch::Tensor& features);

struct FamiliarityFitOptions {
  int64_t max_neighbours = 256;  // training windows kept (evenly spaced); bounds the checkpoint's size
  int64_t nearest = 3;
  void check() const;  // throws std::invalid_argument naming the bad field
};

// From the descriptors [Wa, 2C] of training windows to sample neighbours from and [Wb, 2C] of
// training windows of other performances to calibrate with (Wa > nearest, Wb >= 2).
FamiliarityReference fit_familiarity(const torch::Tensor& neighbour_descriptors, const torch::Tensor& calibration_descriptors,
                                     const FamiliarityFitOptions& options = {});

// Root-mean-square difference of each z-scored descriptor [B, 2C] from its nearest-th closest
// reference window -> [B] float64.
torch::Tensor familiarity_distance(const FamiliarityReference& reference, const torch::Tensor& descriptors);

// Familiarity of each descriptor [B, 2C] -> [B] float64 in 0..1 (see the top of this file).
torch::Tensor familiarity_scores(const FamiliarityReference& reference, const torch::Tensor& descriptors);

}  // namespace pianokpm
