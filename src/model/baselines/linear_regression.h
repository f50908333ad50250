#pragma once
// Linear regression (architecture "linear_regression"): each EMG sample a linear function of the
// inputs around it, one Conv1d over pose (resampled to the keystroke rate) and keys. A floor above
// the mean predictor, and the example of adding a model in docs/architecture.md. Names: conv.
#include "model/emg_model.h"
#include "model/model_options.h"

namespace pianokpm {

struct LinearRegressionOptions {
  int kernel = 33;  // input samples seen around each output sample (odd)

  void check(const StreamLayout&) const { require_option(kernel >= 1 && kernel % 2 == 1, "kernel must be odd and positive"); }
  nlohmann::json to_json() const { return {{"kernel", kernel}}; }
  static LinearRegressionOptions from_json(const nlohmann::json& j) {
    refuse_unknown_fields(j, LinearRegressionOptions().to_json());
    LinearRegressionOptions o;
    read_field(j, "kernel", o.kernel);
    return o;
  }
};

class LinearRegressionImpl : public EmgModelImpl {
 public:
  explicit LinearRegressionImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG

 private:
  torch::nn::Conv1d conv_{nullptr};
};

}  // namespace pianokpm
