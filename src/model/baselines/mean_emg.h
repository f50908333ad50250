#pragma once
// The mean predictor (architecture "mean"): every sample is the training set's mean envelope,
// whatever the input. The floor every other model must beat. Names: mean_emg (a buffer, [emg]).
#include <torch/torch.h>

#include "model/emg_model.h"

namespace pianokpm {

class MeanEmgImpl : public EmgModelImpl {
 public:
  explicit MeanEmgImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG
  // The predicted envelope: the mean over every sample of `emg` (each [T, emg_channels]), in float64.
  bool fits_in_closed_form() const override { return true; }
  void fit_closed_form(const std::vector<torch::Tensor>& emg) override;
  bool reads_pose() const override { return false; }

 private:
  torch::Tensor mean_emg_;
};

}  // namespace pianokpm
