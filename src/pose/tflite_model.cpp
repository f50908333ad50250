#include "pose/tflite_model.h"

#include <fstream>
#include <iterator>
#include <algorithm>
#include <map>
#include <optional>

#include "core/input_error.h"
#include "pose/flatbuffer_view.h"

namespace pianokpm::pose {

namespace {

// Field numbers of the TFLite schema (tensorflow/lite/schema/schema.fbs), in declaration order.
namespace model_f {
constexpr int kVersion = 0, kOperatorCodes = 1, kSubgraphs = 2, kDescription = 3, kBuffers = 4;
}
namespace opcode_f {
constexpr int kDeprecatedBuiltin = 0, kCustom = 1, kBuiltin = 3;
}
namespace subgraph_f {
constexpr int kTensors = 0, kInputs = 1, kOutputs = 2, kOperators = 3;
}
namespace tensor_f {
constexpr int kShape = 0, kType = 1, kBuffer = 2, kName = 3;
}
namespace buffer_f {
constexpr int kData = 0, kOffset = 1, kSize = 2;
}
namespace operator_f {
constexpr int kOpcodeIndex = 0, kInputs = 1, kOutputs = 2, kOptions = 4;
}

// BuiltinOperator codes of the operators we run.
const std::map<int32_t, TfliteOpKind>& known_ops() {
  static const std::map<int32_t, TfliteOpKind> ops = {{0, TfliteOpKind::kAdd},        {2, TfliteOpKind::kConcatenation},
                                                      {3, TfliteOpKind::kConv2d},     {4, TfliteOpKind::kDepthwiseConv2d},
                                                      {6, TfliteOpKind::kDequantize}, {9, TfliteOpKind::kFullyConnected},
                                                      {14, TfliteOpKind::kLogistic},  {17, TfliteOpKind::kMaxPool2d},
                                                      {22, TfliteOpKind::kReshape},   {23, TfliteOpKind::kResizeBilinear},
                                                      {34, TfliteOpKind::kPad},       {40, TfliteOpKind::kMean},
                                                      {54, TfliteOpKind::kPrelu}};
  return ops;
}

TfliteActivation activation_from(uint8_t code, const std::string& source) {
  switch (code) {
    case 0: return TfliteActivation::kNone;
    case 1: return TfliteActivation::kRelu;
    case 2: return TfliteActivation::kReluN1To1;
    case 3: return TfliteActivation::kRelu6;
    case 4: return TfliteActivation::kTanh;
    default: throw InputError(source, "unsupported fused activation code " + std::to_string(code));
  }
}

size_t element_bytes(TfliteType t) { return t == TfliteType::kFloat16 ? 2 : 4; }

// Reads the options table of one operator; field numbers per the schema's *Options tables.
void read_options(const FlatTable& op_table, TfliteOperator& op, const std::string& source) {
  const auto options = op_table.table(operator_f::kOptions);
  if (!options) return;
  const FlatTable& o = *options;
  switch (op.kind) {
    case TfliteOpKind::kConv2d:
      op.same_padding = o.uint8(0) == 0;
      op.stride_w = o.int32(1), op.stride_h = o.int32(2);
      op.activation = activation_from(o.uint8(3), source);
      op.dilation_w = o.int32(4, 1), op.dilation_h = o.int32(5, 1);
      break;
    case TfliteOpKind::kDepthwiseConv2d:
      op.same_padding = o.uint8(0) == 0;
      op.stride_w = o.int32(1), op.stride_h = o.int32(2);
      op.depth_multiplier = o.int32(3, 1);
      op.activation = activation_from(o.uint8(4), source);
      op.dilation_w = o.int32(5, 1), op.dilation_h = o.int32(6, 1);
      break;
    case TfliteOpKind::kMaxPool2d:
      op.same_padding = o.uint8(0) == 0;
      op.stride_w = o.int32(1), op.stride_h = o.int32(2);
      op.filter_w = o.int32(3), op.filter_h = o.int32(4);
      op.activation = activation_from(o.uint8(5), source);
      break;
    case TfliteOpKind::kFullyConnected:
      op.activation = activation_from(o.uint8(0), source);
      if (o.uint8(1) != 0) throw InputError(source, "FULLY_CONNECTED with shuffled weights is not supported");
      op.keep_dims = o.uint8(2) != 0;
      break;
    case TfliteOpKind::kConcatenation:
      op.axis = o.int32(0);
      op.activation = activation_from(o.uint8(1), source);
      break;
    case TfliteOpKind::kAdd: op.activation = activation_from(o.uint8(0), source); break;
    case TfliteOpKind::kResizeBilinear:
      op.align_corners = o.uint8(2) != 0;
      op.half_pixel_centers = o.uint8(3) != 0;
      break;
    case TfliteOpKind::kMean: op.keep_dims = o.uint8(0) != 0; break;
    default: break;
  }
  constexpr int kMaxWindow = 1024;  // strides and pooling windows; far above any real model's
  for (int v : {op.stride_w, op.stride_h, op.filter_w, op.filter_h, op.depth_multiplier})
    if (v < 1 || v > kMaxWindow)
      throw InputError(source,
                       std::string(op_name(op.kind)) + " has a stride, filter size or depth multiplier of " + std::to_string(v));
  if (op.dilation_w != 1 || op.dilation_h != 1)
    throw InputError(source, std::string(op_name(op.kind)) + " with dilation is not supported");
}

std::vector<int> index_list(const FlatVector& v, size_t tensor_count, bool allow_omitted, const std::string& source) {
  std::vector<int> out(v.size());
  for (uint32_t i = 0; i < v.size(); ++i) {
    const int32_t t = v.int32(i);
    if ((t == -1 && allow_omitted) || (t >= 0 && static_cast<size_t>(t) < tensor_count)) {
      out[i] = t;
    } else {
      throw InputError(source,
                       "tensor index " + std::to_string(t) + " is out of range (" + std::to_string(tensor_count) + " tensors)");
    }
  }
  return out;
}

TfliteModel parse(const std::vector<uint8_t>& bytes, const std::string& source) {
  if (bytes.size() < 8 || std::string(bytes.begin() + 4, bytes.begin() + 8) != "TFL3")
    throw InputError(source, "not a TFLite model (no TFL3 identifier)");
  const FlatTable root = flat_root(bytes);
  if (root.uint32(model_f::kVersion) != 3)
    throw InputError(source, "TFLite schema version " + std::to_string(root.uint32(model_f::kVersion)) + " is not 3");
  TfliteModel model;
  model.description = root.string(model_f::kDescription);

  std::vector<std::optional<TfliteOpKind>> opcodes;
  std::vector<std::string> opcode_names;
  const FlatVector codes = root.vector(model_f::kOperatorCodes, 4);
  for (uint32_t i = 0; i < codes.size(); ++i) {
    const FlatTable c = codes.table(i);
    // Codes below 127 live in the deprecated byte; newer files also fill builtin_code.
    const int32_t code =
        std::max<int32_t>(c.int32(opcode_f::kBuiltin), static_cast<int8_t>(c.uint8(opcode_f::kDeprecatedBuiltin)));
    if (code == 32) throw InputError(source, "custom operator '" + c.string(opcode_f::kCustom) + "' is not supported");
    const auto it = known_ops().find(code);
    if (it == known_ops().end())
      throw InputError(source, "unsupported TFLite operator (builtin code " + std::to_string(code) + ")");
    opcodes.emplace_back(it->second);
  }

  const FlatVector subgraphs = root.vector(model_f::kSubgraphs, 4);
  if (subgraphs.size() != 1) throw InputError(source, "expected one subgraph, found " + std::to_string(subgraphs.size()));
  const FlatTable g = subgraphs.table(0);
  const FlatVector buffers = root.vector(model_f::kBuffers, 4);

  const FlatVector tensors = g.vector(subgraph_f::kTensors, 4);
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const FlatTable t = tensors.table(i);
    TfliteTensor tensor;
    tensor.name = t.string(tensor_f::kName);
    const FlatVector shape = t.vector(tensor_f::kShape, 4);
    int64_t count = 1;
    for (uint32_t d = 0; d < shape.size(); ++d) {
      const int32_t extent = shape.int32(d);
      if (extent < 0 || extent > (1 << 24))
        throw InputError(source, "tensor '" + tensor.name + "' has a bad dimension " + std::to_string(extent));
      tensor.shape.push_back(extent);
      count *= extent;
      if (count > (int64_t{1} << 31)) throw InputError(source, "tensor '" + tensor.name + "' is too large");
    }
    switch (t.uint8(tensor_f::kType)) {
      case 0: tensor.type = TfliteType::kFloat32; break;
      case 1: tensor.type = TfliteType::kFloat16; break;
      case 2: tensor.type = TfliteType::kInt32; break;
      default:
        throw InputError(source,
                         "tensor '" + tensor.name + "' has an unsupported type code " + std::to_string(t.uint8(tensor_f::kType)));
    }
    const uint32_t b = t.uint32(tensor_f::kBuffer);
    if (b >= buffers.size() && b != 0)
      throw InputError(
          source, "tensor '" + tensor.name + "' names buffer " + std::to_string(b) + " of " + std::to_string(buffers.size()));
    if (b != 0) {
      const FlatTable buffer = buffers.table(b);
      const FlatVector data = buffer.vector(buffer_f::kData, 1);
      size_t pos = data.data_pos(), size = data.size();
      if (size == 0 && buffer.uint64(buffer_f::kOffset) > 1) {  // large models keep data after the flatbuffer
        const uint64_t off = buffer.uint64(buffer_f::kOffset), len = buffer.uint64(buffer_f::kSize);
        if (off > bytes.size() || len > bytes.size() - off)
          throw InputError(source, "buffer " + std::to_string(b) + " runs past the end of the file");
        pos = static_cast<size_t>(off), size = static_cast<size_t>(len);
      }
      if (size != 0) {
        if (size != static_cast<uint64_t>(count) * element_bytes(tensor.type))
          throw InputError(source, "constant '" + tensor.name + "' has " + std::to_string(size) + " bytes for " +
                                       std::to_string(count) + " elements");
        tensor.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                           bytes.begin() + static_cast<std::ptrdiff_t>(pos + size));
      }
    }
    model.tensors.push_back(std::move(tensor));
  }
  const size_t n = model.tensors.size();
  model.inputs = index_list(g.vector(subgraph_f::kInputs, 4), n, false, source);
  model.outputs = index_list(g.vector(subgraph_f::kOutputs, 4), n, false, source);

  const FlatVector ops = g.vector(subgraph_f::kOperators, 4);
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const FlatTable o = ops.table(i);
    const uint32_t code = o.uint32(operator_f::kOpcodeIndex);
    if (code >= opcodes.size())
      throw InputError(source, "operator " + std::to_string(i) + " names opcode " + std::to_string(code) + " of " +
                                   std::to_string(opcodes.size()));
    TfliteOperator op;
    op.kind = *opcodes[code];
    op.inputs = index_list(o.vector(operator_f::kInputs, 4), n, true, source);
    op.outputs = index_list(o.vector(operator_f::kOutputs, 4), n, false, source);
    if (op.outputs.empty()) throw InputError(source, "operator " + std::to_string(i) + " has no output");
    read_options(o, op, source);
    model.operators.push_back(std::move(op));
  }
  if (model.inputs.empty() || model.outputs.empty()) throw InputError(source, "the model has no inputs or no outputs");
  return model;
}

}  // namespace

const char* op_name(TfliteOpKind kind) {
  switch (kind) {
    case TfliteOpKind::kAdd: return "ADD";
    case TfliteOpKind::kConcatenation: return "CONCATENATION";
    case TfliteOpKind::kConv2d: return "CONV_2D";
    case TfliteOpKind::kDepthwiseConv2d: return "DEPTHWISE_CONV_2D";
    case TfliteOpKind::kDequantize: return "DEQUANTIZE";
    case TfliteOpKind::kFullyConnected: return "FULLY_CONNECTED";
    case TfliteOpKind::kLogistic: return "LOGISTIC";
    case TfliteOpKind::kMaxPool2d: return "MAX_POOL_2D";
    case TfliteOpKind::kReshape: return "RESHAPE";
    case TfliteOpKind::kResizeBilinear: return "RESIZE_BILINEAR";
    case TfliteOpKind::kPad: return "PAD";
    case TfliteOpKind::kMean: return "MEAN";
    case TfliteOpKind::kPrelu: return "PRELU";
  }
  return "?";
}

TfliteModel parse_tflite(const std::vector<uint8_t>& bytes, const std::string& source) {
  try {
    return parse(bytes, source);
  } catch (const FlatBufferError& e) {
    throw InputError(source, std::string("malformed TFLite flatbuffer: ") + e.what());
  }
}

TfliteModel read_tflite(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the model file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_tflite(bytes, path);
}

}  // namespace pianokpm::pose
