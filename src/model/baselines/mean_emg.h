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
  // Sets the predicted envelope, [emg_channels] (training computes it in closed form).
  void set_mean_emg(const torch::Tensor& mean);

 private:
  torch::Tensor mean_emg_;
};

}  // namespace pianokpm
