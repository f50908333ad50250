#include "model/pianokpm_net.h"

#include <optional>
#include <stdexcept>

#include "core/blas_threads.h"
#include "model/decoder_recurrence.h"
#include "model/model_options.h"
#include "model/model_registry.h"

namespace pianokpm {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

void PianoKpmNetOptions::check(const StreamLayout& /*layout*/) const {
  encoder.check();
  require_option(decoder_hidden >= 1, "decoder_hidden must be >= 1");
}

nlohmann::json PianoKpmNetOptions::to_json() const {
  nlohmann::json j = {
      {"decoder_hidden", decoder_hidden}, {"decoder_output_scale", decoder_output_scale}, {"leaky_relu_slope", leaky_relu_slope}};
  encoder.write(j);
  return j;
}

PianoKpmNetOptions PianoKpmNetOptions::from_json(const nlohmann::json& j) {
  refuse_unknown_fields(j, PianoKpmNetOptions().to_json());
  PianoKpmNetOptions o;
  o.encoder = TdsEncoderOptions::read(j);
  read_field(j, "decoder_hidden", o.decoder_hidden);
  read_field(j, "decoder_output_scale", o.decoder_output_scale);
  read_field(j, "leaky_relu_slope", o.leaky_relu_slope);
  return o;
}

ArDecoderImpl::ArDecoderImpl(int emg_channels, const PianoKpmNetOptions& options)
    : emg_channels_(emg_channels), options_(options) {
  const int in = options.encoder.feature_channels() + emg_channels, h = options.decoder_hidden;
  const double eps = options.encoder.layer_norm_eps;
  const auto act = nn::LeakyReLUOptions().negative_slope(options.leaky_relu_slope);
  mlp_ = register_module(
      "mlp",
      nn::Sequential(nn::Linear(in, h), nn::LayerNorm(nn::LayerNormOptions({h}).eps(eps)), nn::LeakyReLU(act), nn::Linear(h, h),
                     nn::LayerNorm(nn::LayerNormOptions({h}).eps(eps)), nn::LeakyReLU(act), nn::Linear(h, emg_channels)));
}

torch::Tensor ArDecoderImpl::forward(const torch::Tensor& features) { return run(features, /*composed=*/false); }

torch::Tensor ArDecoderImpl::forward_composed(const torch::Tensor& features) { return run(features, /*composed=*/true); }

torch::Tensor ArDecoderImpl::forward_from(const torch::Tensor& features, const torch::Tensor& previous) {
  return run(features, /*composed=*/false, previous);
}

torch::Tensor ArDecoderImpl::run(const torch::Tensor& features, bool composed, const torch::Tensor& previous) {
  // The first Linear sees [h_t, e_{t-1}]; its h_t part does not depend on the recursion, so
  // it is computed for all steps in one matrix product and only the e part stays in the loop.
  auto* in_layer = mlp_[0]->as<nn::LinearImpl>();
  auto* norm1 = mlp_[1]->as<nn::LayerNormImpl>();
  auto* hidden_layer = mlp_[3]->as<nn::LinearImpl>();
  auto* norm2 = mlp_[4]->as<nn::LayerNormImpl>();
  auto* out_layer = mlp_[6]->as<nn::LinearImpl>();
  const int64_t f = options_.encoder.feature_channels(), h = options_.decoder_hidden;
  const int64_t b = features.size(0), steps = features.size(2);
  if (features.size(1) != f) throw std::invalid_argument("decoder: features have the wrong channel count");

  auto w_feat = in_layer->weight.narrow(1, 0, f);
  auto pre = torch::addmm(in_layer->bias, features.transpose(1, 2).reshape({b * steps, f}), w_feat.t()).view({b, steps, h});
  if (previous.defined()) {
    // The first step's z1 = pre_1 + W_e e_0: folding W_e e_0 into pre_1 lets both paths start from 0.
    if (previous.dim() != 2 || previous.size(0) != b || previous.size(1) != emg_channels_)
      throw std::invalid_argument("decoder: the previous EMG must be [batch, emg_channels]");
    auto first = pre.narrow(1, 0, 1) + torch::matmul(previous, in_layer->weight.narrow(1, f, emg_channels_).t()).unsqueeze(1);
    pre = torch::cat({first, pre.narrow(1, 1, steps - 1)}, 1);
  }
  const double slope = options_.leaky_relu_slope, scale = options_.decoder_output_scale;
  const double eps1 = norm1->options.eps(), eps2 = norm2->options.eps();

  if (!composed && decoder_recurrence_supported(pre)) {
    const DecoderStepWeights w{in_layer->weight.narrow(1, f, emg_channels_),
                               norm1->weight,
                               norm1->bias,
                               hidden_layer->weight,
                               hidden_layer->bias,
                               norm2->weight,
                               norm2->bias,
                               out_layer->weight,
                               out_layer->bias,
                               eps1,
                               eps2,
                               slope,
                               scale};
    return decoder_recurrence(pre, w).transpose(1, 2).contiguous();  // [B, emg, T]
  }

  // Each step's products go to the BLAS's own threads (see ScopedOpenMpThreads).
  std::optional<ScopedOpenMpThreads> one_thread;
  if (features.device().is_cpu()) one_thread.emplace(1);

  auto w_emg = in_layer->weight.narrow(1, f, emg_channels_).t();
  const std::vector<int64_t> norm_shape{h};
  auto w_hidden = hidden_layer->weight.t(), w_out = out_layer->weight.t();
  auto e = torch::zeros({b, emg_channels_}, features.options());
  std::vector<torch::Tensor> outputs;
  outputs.reserve(steps);
  // unbind, not select: select's backward would write a whole [B, T, H] gradient per step.
  const std::vector<torch::Tensor> pre_steps = pre.unbind(1);
  for (int64_t t = 0; t < steps; ++t) {
    auto x = torch::addmm(pre_steps[t], e, w_emg);
    x = F::leaky_relu(torch::layer_norm(x, norm_shape, norm1->weight, norm1->bias, eps1),
                      F::LeakyReLUFuncOptions().negative_slope(slope));
    x = torch::addmm(hidden_layer->bias, x, w_hidden);
    x = F::leaky_relu(torch::layer_norm(x, norm_shape, norm2->weight, norm2->bias, eps2),
                      F::LeakyReLUFuncOptions().negative_slope(slope));
    e = torch::addmm(out_layer->bias, x, w_out).mul_(scale);
    outputs.push_back(e);
  }
  return torch::stack(outputs, 2);  // [B, emg, T]
}

PianoKpmNetImpl::PianoKpmNetImpl(const ModelConfig& config) : EmgModelImpl(config) {
  const auto options = model_options<PianoKpmNetOptions>(config);
  encoder_ = register_module("network", Encoder(config.layout(), options.encoder));
  decoder_ = register_module("decoder", ArDecoder(config.emg_channels, options));
}

torch::Tensor PianoKpmNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  return encoder_(normalised_pose(pose), keys);
}

torch::Tensor PianoKpmNetImpl::decode(const torch::Tensor& features) { return decoder_(features); }

torch::Tensor PianoKpmNetImpl::stream_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples,
                                           const torch::Tensor& previous_emg) {
  return decoder_->forward_from(encoder_->forward_tail(normalised_pose(pose), keys, samples), previous_emg);
}

std::vector<std::string> PianoKpmNetImpl::part_parameters(const std::string& part) const {
  if (part == "encoder") return {"network."};
  if (part == "decoder") return {"decoder."};
  return EmgModelImpl::part_parameters(part);
}

PIANOKPM_REGISTER_MODEL(pianokpm, PianoKpmNetImpl, PianoKpmNetOptions,
                        "PianoKPM Net as released: TDS encoder + autoregressive decoder")

}  // namespace pianokpm
