#pragma once
// TfliteModel: the parts of a TFLite flatbuffer (schema v3) that MediaPipe Hands' four models use,
// read strictly: an operator outside that set, a tensor type other than float32/float16/int32, a
// dangling tensor index or a constant whose bytes disagree with its shape is an InputError naming
// the file.
#include <cstdint>
#include <string>
#include <vector>

namespace pianokpm::pose {

enum class TfliteOpKind {
  kAdd,
  kConcatenation,
  kConv2d,
  kDepthwiseConv2d,
  kDequantize,
  kFullyConnected,
  kLogistic,
  kMaxPool2d,
  kReshape,
  kResizeBilinear,
  kPad,
  kMean,
  kPrelu
};
enum class TfliteType { kFloat32, kFloat16, kInt32 };
enum class TfliteActivation { kNone, kRelu, kReluN1To1, kRelu6, kTanh };

struct TfliteTensor {
  std::string name;
  std::vector<int64_t> shape;
  TfliteType type = TfliteType::kFloat32;
  std::vector<uint8_t> data;  // the constant's little-endian bytes; empty for activations
  bool is_constant() const { return !data.empty(); }
};

struct TfliteOperator {
  TfliteOpKind kind = TfliteOpKind::kAdd;
  std::vector<int> inputs, outputs;  // tensor indices; -1 marks an omitted optional input
  // Options, filled for the operators that have them (TFLite's defaults otherwise).
  bool same_padding = true;
  int stride_w = 1, stride_h = 1, filter_w = 1, filter_h = 1, dilation_w = 1, dilation_h = 1, depth_multiplier = 1;
  TfliteActivation activation = TfliteActivation::kNone;
  int axis = 0;
  bool keep_dims = false, align_corners = false, half_pixel_centers = false;
};

struct TfliteModel {
  std::string description;
  std::vector<TfliteTensor> tensors;
  std::vector<TfliteOperator> operators;  // in execution order
  std::vector<int> inputs, outputs;
};

const char* op_name(TfliteOpKind kind);

// `source` names the model in error messages.
TfliteModel parse_tflite(const std::vector<uint8_t>& bytes, const std::string& source);
TfliteModel read_tflite(const std::string& path);

}  // namespace pianokpm::pose
