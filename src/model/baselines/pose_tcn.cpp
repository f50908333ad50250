#include "model/baselines/pose_tcn.h"

#include "model/model_options.h"
#include "model/model_registry.h"

namespace pianokpm {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
// LayerNorm over the channels of each frame: x [B, C, T].
torch::Tensor per_frame(nn::LayerNormImpl& norm, const torch::Tensor& x) {
  return norm.forward(x.transpose(1, 2)).transpose(1, 2);
}
}  // namespace

void PoseTcnOptions::check(const StreamLayout& /*layout*/) const {
  require_option(width >= 1, "width must be >= 1");
  require_option(!dilations.empty(), "dilations must not be empty");
  for (int d : dilations) require_option(d >= 1, "dilations must be >= 1");
}

nlohmann::json PoseTcnOptions::to_json() const { return {{"width", width}, {"dilations", dilations}}; }

PoseTcnOptions PoseTcnOptions::from_json(const nlohmann::json& j) {
  refuse_unknown_fields(j, PoseTcnOptions().to_json());
  PoseTcnOptions o;
  read_field(j, "width", o.width);
  read_field(j, "dilations", o.dilations);
  return o;
}

PoseTcnLayers::PoseTcnLayers(nn::Module& owner, int in_channels, const PoseTcnOptions& options, int out_channels) {
  const int width = options.width;
  stem = owner.register_module("stem", nn::Conv1d(nn::Conv1dOptions(in_channels, width, 5).padding(2)));
  norms = owner.register_module("norms", nn::ModuleList());
  convs = owner.register_module("convs", nn::ModuleList());
  for (int d : options.dilations) {
    norms->push_back(nn::LayerNorm(nn::LayerNormOptions({width})));
    convs->push_back(nn::Conv1d(nn::Conv1dOptions(width, width, 3).padding(d).dilation(d)));
  }
  norm = owner.register_module("norm", nn::LayerNorm(nn::LayerNormOptions({width})));
  head = owner.register_module("head", nn::Conv1d(nn::Conv1dOptions(width, out_channels, 1)));
}

torch::Tensor PoseTcnLayers::forward(const torch::Tensor& input) {
  torch::Tensor x = stem(input);
  for (size_t i = 0; i < convs->size(); ++i) {
    const auto h = torch::gelu(per_frame(*norms[i]->as<nn::LayerNormImpl>(), x));
    x = x + convs[i]->as<nn::Conv1dImpl>()->forward(h);
  }
  return head(torch::gelu(per_frame(*norm, x)));
}

PoseTcnNetImpl::PoseTcnNetImpl(const ModelConfig& c) : EmgModelImpl(c) {
  const int in = (uses_pose(c.modality) ? c.pose_channels() : 0) + (uses_keys(c.modality) ? c.num_keys : 0);
  layers_ = PoseTcnLayers(*this, in, model_options<PoseTcnOptions>(c), c.emg_channels);
}

torch::Tensor PoseTcnLayers::forward_to_samples(std::vector<torch::Tensor> inputs, const torch::Tensor& keys, int64_t frames,
                                                int64_t samples) {
  if (keys.defined()) inputs.push_back(F::adaptive_avg_pool1d(keys, F::AdaptiveAvgPool1dFuncOptions(frames)));
  return F::interpolate(forward(torch::cat(inputs, 1)),
                        F::InterpolateFuncOptions().size(std::vector<int64_t>{samples}).mode(torch::kLinear).align_corners(true));
}

torch::Tensor PoseTcnNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  const ModelConfig& c = config();
  std::vector<torch::Tensor> inputs;
  if (uses_pose(c.modality)) {
    if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
    inputs.push_back(normalised_pose(pose));
  }
  if (uses_keys(c.modality) && !keys.defined()) throw std::invalid_argument("this model needs keystroke input");
  return layers_.forward_to_samples(std::move(inputs), uses_keys(c.modality) ? keys : torch::Tensor(), c.pose_frames(),
                                    c.window_samples());
}

PIANOKPM_REGISTER_MODEL(pose_tcn, PoseTcnNetImpl, PoseTcnOptions,
                        "a temporal convolutional network at the camera's frame rate (cheap, one camera)")

}  // namespace pianokpm
