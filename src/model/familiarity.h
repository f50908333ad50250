#pragma once
// How familiar a window's pose is to a model: how unusual it would have been among the windows
// the model was trained on. A window is described by each pose channel's mean and spread over the
// window (after the model's own front end and standardisation, model/pose_front_end.h), so a hand
// held still, keypoints that are not a hand, a hand seen edge-on or a camera the model never saw
// all stand out, while a camera change the front end removes does not.
//
// familiarity = the share of training windows at least as far from the training mean as this
// one: about uniform on 0..1 for windows like the training data, 0 beyond the farthest.
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

// The training windows' descriptors: their mean and standard deviation per entry, and the
// quantiles 0, 1, ..., 100 % of their distances (distance()).
struct FamiliarityReference {
  std::vector<double> mean, std;
  std::vector<double> distance_quantiles;  // 101 values, non-decreasing
  int64_t windows = 0;                     // how many training windows they come from

  bool empty() const { return mean.empty(); }
  // Throws std::invalid_argument unless sizes match `descriptor_size` and values are valid.
  void check(int64_t descriptor_size) const;
  nlohmann::json to_json() const;
  static FamiliarityReference from_json(const nlohmann::json& j);
};

// features [B, C, F] (a model's pose after its front end) -> descriptors [B, 2C] float64: per
// channel the mean over the F frames, then log(standard deviation + 1e-3).
torch::Tensor window_descriptors(const torch::Tensor& features);

// From descriptors [W, 2C] of W >= 2 training windows.
FamiliarityReference fit_familiarity(const torch::Tensor& descriptors);

// Root-mean-square z-score of each descriptor [B, 2C] against the reference -> [B] float64.
torch::Tensor familiarity_distance(const FamiliarityReference& reference, const torch::Tensor& descriptors);

// Familiarity of each descriptor [B, 2C] -> [B] float64 in 0..1 (see the top of this file).
torch::Tensor familiarity_scores(const FamiliarityReference& reference, const torch::Tensor& descriptors);

}  // namespace pianokpm
