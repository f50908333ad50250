#pragma once
// TfliteGraph: runs a TfliteModel with libtorch operators, on the CPU or a GPU. Constants
// (float16 weights behind DEQUANTIZE) are folded to float32 once at load, convolution weights are
// re-laid out for torch, and 4-D activations are kept as NCHW tensors in channels-last memory inside; inputs and
// outputs keep TFLite's own layout (NHWC). Loading runs the graph once on zeros, so a model whose
// shapes do not fit together is rejected at load with an InputError, not at the first frame.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "pose/tflite_model.h"

namespace pianokpm::pose {

// TensorFlow's padding (before, after) of one spatial axis: SAME puts the odd pixel after.
std::pair<int64_t, int64_t> tf_padding(int64_t in, int64_t kernel, int64_t stride, bool same);

class TfliteGraph {
 public:
  TfliteGraph(TfliteModel model, std::string source, torch::Device device = torch::kCPU);
  static TfliteGraph load(const std::string& path, torch::Device device = torch::kCPU);

  // inputs in the model's input order and shapes (NHWC float32); outputs in its output order.
  std::vector<torch::Tensor> run(const std::vector<torch::Tensor>& inputs) const;

  const TfliteModel& model() const { return model_; }
  std::vector<int64_t> input_shape(size_t i) const { return model_.tensors[model_.inputs.at(i)].shape; }

 private:
  struct Value {
    torch::Tensor t;
    bool nchw = false;  // a 4-D tensor stored channel-first instead of TFLite's NHWC
  };
  struct Prepared {
    torch::Tensor weight, bias;  // torch layouts, for convolutions and fully connected layers
    torch::Tensor pointwise;     // [I, O] for 1x1 stride-1 convolutions, run as a matrix product
  };
  Value evaluate(size_t op_index, const std::vector<Value>& values) const;
  void fold_constants();

  TfliteModel model_;
  std::string source_;
  torch::Device device_;
  std::vector<torch::Tensor> constants_;  // per tensor index; undefined for activations
  std::vector<Prepared> prepared_;        // per operator
  std::vector<size_t> last_use_;          // per tensor: the last operator that reads it
};

}  // namespace pianokpm::pose
