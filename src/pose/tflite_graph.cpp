#include "pose/tflite_graph.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <limits>
#include <utility>

#include "core/input_error.h"
#include "core/blas_threads.h"

namespace pianokpm::pose {

namespace F = torch::nn::functional;

namespace {

torch::Tensor constant_tensor(const TfliteTensor& t) {
  const auto dtype = t.type == TfliteType::kFloat16 ? torch::kHalf : t.type == TfliteType::kInt32 ? torch::kInt : torch::kFloat;
  torch::Tensor raw = torch::empty(t.shape, torch::TensorOptions().dtype(dtype));
  std::memcpy(raw.data_ptr(), t.data.data(), t.data.size());
  return dtype == torch::kHalf ? raw.to(torch::kFloat) : raw;
}

torch::Tensor activate(torch::Tensor x, TfliteActivation a) {
  switch (a) {
    case TfliteActivation::kNone: return x;
    case TfliteActivation::kRelu: return torch::relu(x);
    case TfliteActivation::kReluN1To1: return x.clamp(-1.0, 1.0);
    case TfliteActivation::kRelu6: return x.clamp(0.0, 6.0);
    case TfliteActivation::kTanh: return torch::tanh(x);
  }
  return x;
}

// NHWC axis -> NCHW axis for 4-D tensors.
int64_t nchw_axis(int64_t nhwc) {
  constexpr int64_t map[4] = {0, 2, 3, 1};
  return map[nhwc];
}

std::vector<int64_t> int_values(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kLong).contiguous().flatten();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// Bounds on sizes a model states in its constants and on any tensor it makes, so that a corrupt
// file cannot ask for terabytes.
constexpr int64_t kMaxExtent = 1 << 14;
constexpr int64_t kMaxValues = int64_t{1} << 24;  // 64 MB of float32, 50 times the largest tensor of these models

// Element count of a shape, in double so that a corrupt shape cannot overflow the check.
double numel_of(const std::vector<int64_t>& shape) {
  double n = 1;
  for (int64_t d : shape) n *= static_cast<double>(d);
  return n;
}

size_t minimum_inputs(TfliteOpKind kind) {
  switch (kind) {
    case TfliteOpKind::kDequantize:
    case TfliteOpKind::kLogistic:
    case TfliteOpKind::kMaxPool2d:
    case TfliteOpKind::kConcatenation: return 1;
    default: return 2;  // data and a second operand (weights, shape, axes, padding, alpha)
  }
}

}  // namespace

std::pair<int64_t, int64_t> tf_padding(int64_t in, int64_t kernel, int64_t stride, bool same) {
  if (!same) return {0, 0};
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
  return {total / 2, total - total / 2};
}

TfliteGraph TfliteGraph::load(const std::string& path, torch::Device device) {
  return TfliteGraph(read_tflite(path), path, device);
}

TfliteGraph::TfliteGraph(TfliteModel model, std::string source, torch::Device device)
    : model_(std::move(model)), source_(std::move(source)), device_(device) {
  fold_constants();
  last_use_.assign(model_.tensors.size(), 0);
  for (size_t i = 0; i < model_.operators.size(); ++i)
    for (int t : model_.operators[i].inputs)
      if (t >= 0) last_use_[static_cast<size_t>(t)] = i;
  for (int t : model_.outputs) last_use_[static_cast<size_t>(t)] = model_.operators.size();
  // Dry run: every shape and index error surfaces now, named after the model file.
  std::vector<torch::Tensor> zeros;
  for (int t : model_.inputs) {
    const TfliteTensor& in = model_.tensors[static_cast<size_t>(t)];
    if (in.type != TfliteType::kFloat32) throw InputError(source_, "input '" + in.name + "' is not float32");
    if (numel_of(in.shape) > static_cast<double>(kMaxValues))
      throw InputError(source_, "input '" + in.name + "' is implausibly large");
    zeros.push_back(torch::zeros(in.shape));
  }
  const auto outputs = run(zeros);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& declared = model_.tensors[static_cast<size_t>(model_.outputs[i])].shape;
    if (outputs[i].sizes().vec() != declared)
      throw InputError(source_,
                       fmt::format("output {} has shape {} where the model declares {}", i, outputs[i].sizes().vec(), declared));
  }
}

void TfliteGraph::fold_constants() {
  constants_.assign(model_.tensors.size(), torch::Tensor());
  for (size_t i = 0; i < model_.tensors.size(); ++i)
    if (model_.tensors[i].is_constant()) constants_[i] = constant_tensor(model_.tensors[i]).to(device_);
  prepared_.assign(model_.operators.size(), Prepared{});
  for (size_t i = 0; i < model_.operators.size(); ++i) {
    const TfliteOperator& op = model_.operators[i];
    if (op.inputs.size() < minimum_inputs(op.kind) || op.inputs.empty() || op.inputs[0] < 0)
      throw InputError(source_, fmt::format("{} (operator {}) has {} inputs", op_name(op.kind), i, op.inputs.size()));
    auto input = [&](size_t k) -> torch::Tensor {
      if (k >= op.inputs.size() || op.inputs[k] < 0) return {};
      return constants_[static_cast<size_t>(op.inputs[k])];
    };
    auto need_constant = [&](size_t k, int64_t rank, const char* what) {
      const torch::Tensor c = input(k);
      if (!c.defined() || c.dim() != rank)
        throw InputError(source_, fmt::format("{} (operator {}) needs a constant {}-D {}", op_name(op.kind), i, rank, what));
      return c;
    };
    switch (op.kind) {
      case TfliteOpKind::kDequantize:
        if (input(0).defined()) constants_[static_cast<size_t>(op.outputs[0])] = input(0).to(torch::kFloat);
        break;
      case TfliteOpKind::kConv2d: {  // [O, KH, KW, I] -> [O, I, KH, KW]
        const torch::Tensor w = need_constant(1, 4, "weight");
        prepared_[i].weight = w.permute({0, 3, 1, 2}).contiguous(torch::MemoryFormat::ChannelsLast);
        prepared_[i].bias = input(2);
        // 1x1 stride-1 convolutions (most of these models' arithmetic) are one matrix product
        // over the channels-last pixels: [H*W, I] x [I, O].
        if (w.size(1) == 1 && w.size(2) == 1 && op.stride_h == 1 && op.stride_w == 1)
          prepared_[i].pointwise = w.reshape({w.size(0), w.size(3)}).t().contiguous();
        break;
      }
      case TfliteOpKind::kDepthwiseConv2d:  // [1, KH, KW, C*M] -> [C*M, 1, KH, KW]
        prepared_[i].weight = need_constant(1, 4, "weight").permute({3, 0, 1, 2}).contiguous(torch::MemoryFormat::ChannelsLast);
        prepared_[i].bias = input(2);
        break;
      case TfliteOpKind::kFullyConnected:
        prepared_[i].weight = need_constant(1, 2, "weight");
        prepared_[i].bias = input(2);
        break;
      case TfliteOpKind::kResizeBilinear:
        if (!op.align_corners && !op.half_pixel_centers)
          throw InputError(source_, "RESIZE_BILINEAR without half-pixel centres or aligned corners is not supported");
        for (int64_t v : int_values(need_constant(1, 1, "size")))
          if (v < 1 || v > kMaxExtent) throw InputError(source_, fmt::format("RESIZE_BILINEAR (operator {}) to size {}", i, v));
        break;
      case TfliteOpKind::kPad:
        for (int64_t v : int_values(need_constant(1, 2, "padding table")))
          if (v < 0 || v > kMaxExtent) throw InputError(source_, fmt::format("PAD (operator {}) by {}", i, v));
        break;
      case TfliteOpKind::kMean: need_constant(1, 1, "axis list"); break;
      case TfliteOpKind::kReshape:
        if (!input(1).defined()) throw InputError(source_, fmt::format("RESHAPE (operator {}) needs a constant shape", i));
        break;
      default: break;
    }
  }
}

std::vector<torch::Tensor> TfliteGraph::run(const std::vector<torch::Tensor>& inputs) const {
  if (inputs.size() != model_.inputs.size())
    throw std::invalid_argument(
        fmt::format("{}: {} inputs given, the model takes {}", source_, inputs.size(), model_.inputs.size()));
  torch::NoGradGuard no_grad;
  // The products here are small; OpenBLAS's own threads beside libtorch's cost 3x (measured).
  const ScopedBlasThreads one_blas_thread(1);
  std::vector<Value> values(model_.tensors.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& shape = model_.tensors[static_cast<size_t>(model_.inputs[i])].shape;
    if (inputs[i].sizes().vec() != shape)
      throw std::invalid_argument(
          fmt::format("{}: input {} has shape {}, the model takes {}", source_, i, inputs[i].sizes().vec(), shape));
    torch::Tensor x = inputs[i].to(device_, torch::kFloat);
    values[static_cast<size_t>(model_.inputs[i])] =
        x.dim() == 4 ? Value{x.permute({0, 3, 1, 2}).contiguous(torch::MemoryFormat::ChannelsLast), true} : Value{x, false};
  }
  try {
    for (size_t i = 0; i < model_.operators.size(); ++i) {
      const TfliteOperator& op = model_.operators[i];
      if (constants_[static_cast<size_t>(op.outputs[0])].defined()) continue;  // folded at load
      values[static_cast<size_t>(op.outputs[0])] = evaluate(i, values);
      for (int t : op.inputs)
        if (t >= 0 && last_use_[static_cast<size_t>(t)] == i) values[static_cast<size_t>(t)] = Value{};
    }
  } catch (const InputError&) {
    throw;
  } catch (const c10::Error& e) {
    throw InputError(source_, std::string("the model's graph does not run: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {  // libtorch also throws plain runtime_errors on bad shapes
    throw InputError(source_, std::string("the model's graph does not run: ") + e.what());
  }
  std::vector<torch::Tensor> out;
  for (int t : model_.outputs) {
    const auto k = static_cast<size_t>(t);
    const Value v = constants_[k].defined() ? Value{constants_[k], false} : values[k];
    if (!v.t.defined()) throw InputError(source_, "an output is never computed");
    out.push_back(v.nchw ? v.t.permute({0, 2, 3, 1}).contiguous() : v.t);
  }
  return out;
}

TfliteGraph::Value TfliteGraph::evaluate(size_t op_index, const std::vector<Value>& values) const {
  const TfliteOperator& op = model_.operators[op_index];
  auto value = [&](size_t k) -> Value {
    if (k >= op.inputs.size() || op.inputs[k] < 0)
      throw InputError(source_, fmt::format("{} (operator {}) lacks input {}", op_name(op.kind), op_index, k));
    const auto t = static_cast<size_t>(op.inputs[k]);
    if (constants_[t].defined()) return Value{constants_[t], false};
    if (!values[t].t.defined())
      throw InputError(source_, fmt::format("{} (operator {}) reads tensor '{}' before it is computed", op_name(op.kind),
                                            op_index, model_.tensors[t].name));
    return values[t];
  };
  auto plain = [](const Value& v) { return v.nchw ? v.t.permute({0, 2, 3, 1}) : v.t; };
  auto channel_first = [&](size_t k) {
    Value v = value(k);
    if (v.t.dim() != 4) throw InputError(source_, fmt::format("{} (operator {}) needs a 4-D input", op_name(op.kind), op_index));
    return v.nchw ? v.t : v.t.permute({0, 3, 1, 2}).contiguous(torch::MemoryFormat::ChannelsLast);
  };
  const Prepared& p = prepared_[op_index];
  // Every operator's output size is checked before it is allocated: a corrupt model must not ask
  // for gigabytes (the largest tensor of MediaPipe's models has 0.3 M values).
  auto require_size = [&](double values) {
    if (values > static_cast<double>(kMaxValues))
      throw InputError(source_,
                       fmt::format("{} (operator {}) would make a tensor of {:.3g} values", op_name(op.kind), op_index, values));
  };

  switch (op.kind) {
    case TfliteOpKind::kConv2d:
    case TfliteOpKind::kDepthwiseConv2d: {
      torch::Tensor x = channel_first(0);
      if (p.pointwise.defined() && x.size(1) == p.pointwise.size(0)) {
        require_size(numel_of({x.size(0), x.size(2), x.size(3), p.pointwise.size(1)}));
        const torch::Tensor pixels = x.permute({0, 2, 3, 1}).contiguous().view({-1, x.size(1)});
        torch::Tensor y = p.bias.defined() ? torch::addmm(p.bias, pixels, p.pointwise) : torch::mm(pixels, p.pointwise);
        y = y.view({x.size(0), x.size(2), x.size(3), -1}).permute({0, 3, 1, 2});  // NCHW view, channels-last memory
        return {activate(y, op.activation), true};
      }
      const auto [top, bottom] = tf_padding(x.size(2), p.weight.size(2), op.stride_h, op.same_padding);
      const auto [left, right] = tf_padding(x.size(3), p.weight.size(3), op.stride_w, op.same_padding);
      if (top || bottom || left || right) x = F::pad(x, F::PadFuncOptions({left, right, top, bottom}));
      require_size(numel_of({x.size(0), p.weight.size(0), (x.size(2) + top + bottom) / op.stride_h + 1,
                             (x.size(3) + left + right) / op.stride_w + 1}));
      const int64_t groups = op.kind == TfliteOpKind::kDepthwiseConv2d ? x.size(1) : 1;
      torch::Tensor y = torch::conv2d(x, p.weight, p.bias, torch::IntArrayRef{op.stride_h, op.stride_w}, torch::IntArrayRef{0, 0},
                                      torch::IntArrayRef{1, 1}, groups);
      return {activate(y, op.activation), true};
    }
    case TfliteOpKind::kMaxPool2d: {
      torch::Tensor x = channel_first(0);
      const auto [top, bottom] = tf_padding(x.size(2), op.filter_h, op.stride_h, op.same_padding);
      const auto [left, right] = tf_padding(x.size(3), op.filter_w, op.stride_w, op.same_padding);
      require_size(numel_of({x.size(0), x.size(1), x.size(2) + top + bottom, x.size(3) + left + right}));
      if (top || bottom || left || right)
        x = F::pad(x, F::PadFuncOptions({left, right, top, bottom}).value(-std::numeric_limits<float>::infinity()));
      return {activate(torch::max_pool2d(x, {op.filter_h, op.filter_w}, {op.stride_h, op.stride_w}), op.activation), true};
    }
    case TfliteOpKind::kAdd: {
      const Value a = value(0), b = value(1);
      require_size(numel_of(at::infer_size(plain(a).sizes(), plain(b).sizes())));
      if (a.nchw && b.nchw) return {activate(a.t + b.t, op.activation), true};
      return {activate(plain(a) + plain(b), op.activation), false};
    }
    case TfliteOpKind::kPrelu: {
      const Value x = value(0);
      const torch::Tensor alpha = value(1).t;
      require_size(numel_of(at::infer_size(plain(x).sizes(), alpha.sizes())));
      if (x.nchw && alpha.numel() == x.t.size(1)) return {torch::prelu(x.t, alpha.flatten()), true};
      const torch::Tensor v = plain(x);
      return {torch::where(v >= 0, v, v * alpha), false};
    }
    case TfliteOpKind::kLogistic: {
      const Value x = value(0);
      return {torch::sigmoid(x.t), x.nchw};
    }
    case TfliteOpKind::kDequantize: return {value(0).t.to(torch::kFloat), value(0).nchw};
    case TfliteOpKind::kPad: {
      const Value x = value(0);
      const auto table = int_values(value(1).t);
      const int64_t rank = x.t.dim();
      if (static_cast<int64_t>(table.size()) != 2 * rank)
        throw InputError(source_, fmt::format("PAD (operator {}) has a padding table for another rank", op_index));
      std::vector<int64_t> padded = plain(x).sizes().vec();  // in the table's (NHWC) axis order
      for (int64_t d = 0; d < rank; ++d) padded[static_cast<size_t>(d)] += table[2 * d] + table[2 * d + 1];
      require_size(numel_of(padded));
      std::vector<int64_t> pads;  // torch order: last axis first
      for (int64_t d = rank - 1; d >= 0; --d) {
        const int64_t axis =
            x.nchw ? std::vector<int64_t>{0, 3, 1, 2}[static_cast<size_t>(d)] : d;  // NCHW axis d holds NHWC axis
        pads.push_back(table[2 * axis]), pads.push_back(table[2 * axis + 1]);
      }
      return {F::pad(x.t, F::PadFuncOptions(pads)), x.nchw};
    }
    case TfliteOpKind::kResizeBilinear: {
      torch::Tensor x = channel_first(0);
      const auto size = int_values(value(1).t);
      if (size.size() != 2)
        throw InputError(source_, fmt::format("RESIZE_BILINEAR (operator {}) needs [height, width]", op_index));
      require_size(numel_of({x.size(0), x.size(1), size[0], size[1]}));
      // half-pixel centres without aligned corners is torch's align_corners=false
      return {F::interpolate(x, F::InterpolateFuncOptions().size(size).mode(torch::kBilinear).align_corners(op.align_corners)),
              true};
    }
    case TfliteOpKind::kReshape: {
      const torch::Tensor x = plain(value(0)).contiguous();
      return {x.reshape(int_values(value(1).t)), false};
    }
    case TfliteOpKind::kConcatenation: {
      std::vector<Value> parts;
      bool all_nchw = true;
      for (size_t k = 0; k < op.inputs.size(); ++k) parts.push_back(value(k)), all_nchw = all_nchw && parts.back().nchw;
      const int64_t rank = parts.at(0).t.dim();
      const int64_t axis = op.axis < 0 ? op.axis + rank : op.axis;
      if (axis < 0 || axis >= rank)
        throw InputError(source_, fmt::format("CONCATENATION (operator {}) has axis {} for rank {}", op_index, op.axis, rank));
      std::vector<torch::Tensor> ts;
      double total = 0;
      for (const Value& v : parts) ts.push_back(all_nchw ? v.t : plain(v)), total += static_cast<double>(v.t.numel());
      require_size(total);
      return {activate(torch::cat(ts, all_nchw ? nchw_axis(axis) : axis), op.activation), all_nchw};
    }
    case TfliteOpKind::kMean: {
      const torch::Tensor x = plain(value(0));
      auto axes = int_values(value(1).t);
      for (auto& a : axes) a = a < 0 ? a + x.dim() : a;
      return {x.mean(axes, op.keep_dims), false};
    }
    case TfliteOpKind::kFullyConnected: {
      const torch::Tensor x = plain(value(0)).contiguous().reshape({-1, p.weight.size(1)});
      require_size(numel_of({x.size(0), p.weight.size(0)}));
      torch::Tensor y = p.bias.defined() ? torch::addmm(p.bias, x, p.weight.t()) : torch::mm(x, p.weight.t());
      return {activate(y, op.activation), false};
    }
  }
  throw InputError(source_, "unsupported operator");
}

}  // namespace pianokpm::pose
