#include "model/baselines/codetalker.h"

#include "model/model_options.h"
#include "model/model_registry.h"

#include <cmath>
#include <stdexcept>

namespace pianokpm {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

// `steps` stride-2 convolutions (kernel 4, padding 1 halves T exactly) after a stem.
nn::Sequential strided_encoder(int in, int width, int steps, int out) {
  nn::Sequential s;
  s->push_back(nn::Conv1d(nn::Conv1dOptions(in, width, 3).padding(1)));
  s->push_back(nn::ReLU());
  for (int i = 0; i < steps; ++i) {
    s->push_back(nn::Conv1d(nn::Conv1dOptions(width, width, 4).stride(2).padding(1)));
    s->push_back(nn::ReLU());
  }
  s->push_back(nn::Conv1d(nn::Conv1dOptions(width, out, 1)));
  return s;
}

}  // namespace

void CodeTalkerOptions::check(const StreamLayout& layout) const {
  auto require = [](bool ok, const std::string& what) { require_option(ok, "codetalker." + what); };
  require(codebook_size >= 2, "codebook_size must be >= 2");
  require(code_dim >= 1 && vae_channels >= 1 && feedforward >= 1, "code_dim, vae_channels and feedforward must be >= 1");
  require(downsample_log2 >= 1 && downsample_log2 <= 8, "downsample_log2 must be 1..8");
  require(model_dim >= 1 && heads >= 1 && model_dim % heads == 0, "model_dim must be a positive multiple of heads");
  require(layers >= 1, "layers must be >= 1");
  require(commitment >= 0, "commitment must be >= 0");
  require(vq_stage_share > 0 && vq_stage_share < 1, "vq_stage_share must be between 0 and 1");
  require(layout.window_samples() % (1 << downsample_log2) == 0,
          "downsample_log2: window_samples must be a multiple of 2^downsample_log2");
}

nlohmann::json CodeTalkerOptions::to_json() const {
  return {{"codetalker",
           {{"codebook_size", codebook_size},
            {"code_dim", code_dim},
            {"downsample_log2", downsample_log2},
            {"vae_channels", vae_channels},
            {"model_dim", model_dim},
            {"heads", heads},
            {"layers", layers},
            {"feedforward", feedforward},
            {"commitment", commitment},
            {"vq_stage_share", vq_stage_share}}}};
}

CodeTalkerOptions CodeTalkerOptions::from_json(const nlohmann::json& j) {
  const nlohmann::json defaults = CodeTalkerOptions().to_json();
  refuse_unknown_fields(j, defaults);
  CodeTalkerOptions c;
  if (!j.contains("codetalker")) return c;
  const nlohmann::json& b = j.at("codetalker");
  refuse_unknown_fields(b, defaults.at("codetalker"), "codetalker.");
  read_field(b, "codebook_size", c.codebook_size);
  read_field(b, "code_dim", c.code_dim);
  read_field(b, "downsample_log2", c.downsample_log2);
  read_field(b, "vae_channels", c.vae_channels);
  read_field(b, "model_dim", c.model_dim);
  read_field(b, "heads", c.heads);
  read_field(b, "layers", c.layers);
  read_field(b, "feedforward", c.feedforward);
  read_field(b, "commitment", c.commitment);
  read_field(b, "vq_stage_share", c.vq_stage_share);
  return c;
}

CodeTalkerNetImpl::CodeTalkerNetImpl(const ModelConfig& config)
    : EmgModelImpl(config), options_(model_options<CodeTalkerOptions>(config)) {
  const CodeTalkerOptions& c = options_;
  tokens_ = config.window_samples() >> c.downsample_log2;
  // Stage 1: the VQ-VAE over EMG.
  vq_encoder_ =
      register_module("vq_encoder", strided_encoder(config.emg_channels, c.vae_channels, c.downsample_log2, c.code_dim));
  codebook_ = register_parameter(
      "codebook", torch::empty({c.codebook_size, c.code_dim}).uniform_(-1.0 / c.codebook_size, 1.0 / c.codebook_size));
  nn::Sequential decoder;
  decoder->push_back(nn::Conv1d(nn::Conv1dOptions(c.code_dim, c.vae_channels, 3).padding(1)));
  decoder->push_back(nn::ReLU());
  for (int i = 0; i < c.downsample_log2; ++i) {
    decoder->push_back(nn::ConvTranspose1d(nn::ConvTranspose1dOptions(c.vae_channels, c.vae_channels, 4).stride(2).padding(1)));
    decoder->push_back(nn::ReLU());
  }
  decoder->push_back(nn::Conv1d(nn::Conv1dOptions(c.vae_channels, config.emg_channels, 3).padding(1)));
  vq_decoder_ = register_module("vq_decoder", decoder);
  // Stage 2: pose/key tokens at the code rate, and the code predictor.
  const int in = (uses_pose(config.modality) ? config.pose_channels() : 0) + (uses_keys(config.modality) ? config.num_keys : 0);
  condition_ = register_module("condition", strided_encoder(in, c.model_dim, c.downsample_log2, c.model_dim));
  token_embedding_ = register_module("token_embedding", nn::Embedding(c.codebook_size + 1, c.model_dim));
  position_ = register_parameter("position", torch::randn({tokens_, c.model_dim}) * 0.02);
  transformer_ = register_module(
      "transformer",
      nn::TransformerDecoder(nn::TransformerDecoderOptions(
          nn::TransformerDecoderLayerOptions(c.model_dim, c.heads).dim_feedforward(c.feedforward).dropout(0.0), c.layers)));
  head_ = register_module("head", nn::Linear(c.model_dim, c.codebook_size));
}

int CodeTalkerNetImpl::training_stage(int epoch, int epochs) const {
  const int vq_epochs = std::max(1, static_cast<int>(std::lround(options_.vq_stage_share * epochs)));
  return epoch < vq_epochs ? 0 : 1;
}

std::vector<std::string> CodeTalkerNetImpl::stage_parameters(int stage) const {
  if (stage == 0) return {"vq_encoder.", "codebook", "vq_decoder."};
  return {"condition.", "token_embedding.", "position", "transformer.", "head."};
}

CodeTalkerNetImpl::Quantised CodeTalkerNetImpl::quantise(const torch::Tensor& z) {
  const int64_t b = z.size(0), d = z.size(1), n = z.size(2);
  const auto flat = z.transpose(1, 2).reshape({b * n, d});
  // |z|^2 - 2 z.e + |e|^2; the first term does not change the argmin
  const auto distance = codebook_.pow(2).sum(1).unsqueeze(0) - 2 * torch::matmul(flat, codebook_.t());
  const auto codes = distance.argmin(1);
  const auto chosen = codebook_.index_select(0, codes);  // [b*n, d]
  Quantised q;
  q.codes = codes.view({b, n});
  q.vq_loss = F::mse_loss(chosen, flat.detach()) + options_.commitment * F::mse_loss(flat, chosen.detach());
  q.vectors = (flat + (chosen - flat).detach()).view({b, n, d}).transpose(1, 2);
  return q;
}

torch::Tensor CodeTalkerNetImpl::emg_to_codes(const torch::Tensor& emg) { return quantise(vq_encoder_->forward(emg)).codes; }

torch::Tensor CodeTalkerNetImpl::codes_to_emg(const torch::Tensor& codes) {
  const auto vectors = codebook_.index_select(0, codes.reshape({-1})).view({codes.size(0), codes.size(1), -1});
  return vq_decoder_->forward(vectors.transpose(1, 2));
}

torch::Tensor CodeTalkerNetImpl::condition_tokens(const torch::Tensor& pose, const torch::Tensor& keys) {
  const auto tokens = condition_->forward(inputs_at_key_rate(pose, keys));  // [B, model_dim, N]
  return tokens.permute({2, 0, 1}) + position_.unsqueeze(1);                // [N, B, model_dim]
}

torch::Tensor CodeTalkerNetImpl::logits_from(const torch::Tensor& memory, const torch::Tensor& previous_codes) {
  // Step t sees the code before it (the start token at t = 0) and its own time's pose/key token.
  const int64_t n = previous_codes.size(1);
  const auto target = token_embedding_(previous_codes).transpose(0, 1) + memory.narrow(0, 0, n);  // [n, B, D]
  const auto causal = torch::triu(torch::full({n, n}, -std::numeric_limits<float>::infinity(), memory.options()), 1);
  const auto out = transformer_->forward(target, memory, causal);  // [n, B, D]
  return head_(out.transpose(0, 1));                               // [B, n, K]
}

torch::Tensor CodeTalkerNetImpl::code_logits(const torch::Tensor& pose, const torch::Tensor& keys, const torch::Tensor& codes) {
  const auto memory = condition_tokens(pose, keys);
  const auto start = torch::full({codes.size(0), 1}, options_.codebook_size, codes.options());
  return logits_from(memory, torch::cat({start, codes.narrow(1, 0, codes.size(1) - 1)}, 1));
}

torch::Tensor CodeTalkerNetImpl::predict_codes(const torch::Tensor& pose, const torch::Tensor& keys) {
  const auto memory = condition_tokens(pose, keys);
  const int64_t b = memory.size(1);
  auto previous = torch::full({b, 1}, options_.codebook_size, torch::TensorOptions(torch::kLong).device(memory.device()));
  std::vector<torch::Tensor> codes;
  for (int t = 0; t < tokens_; ++t) {
    const auto next = logits_from(memory, previous).select(1, t).argmax(1);  // [B]
    codes.push_back(next);
    previous = torch::cat({previous, next.unsqueeze(1)}, 1);
  }
  return torch::stack(codes, 1);
}

torch::Tensor CodeTalkerNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  return codes_to_emg(predict_codes(pose, keys));
}

torch::Tensor CodeTalkerNetImpl::stage_loss(int stage, const torch::Tensor& pose, const torch::Tensor& keys,
                                            const torch::Tensor& emg) {
  if (stage == 0) {
    const Quantised q = quantise(vq_encoder_->forward(emg));
    return F::mse_loss(vq_decoder_->forward(q.vectors), emg) + q.vq_loss;
  }
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    target = emg_to_codes(emg);
  }
  const auto logits = code_logits(pose, keys, target);
  return F::cross_entropy(logits.reshape({-1, logits.size(2)}), target.reshape({-1}));
}

PIANOKPM_REGISTER_MODEL(codetalker, CodeTalkerNetImpl, CodeTalkerOptions,
                        "a VQ-VAE codebook of EMG motifs and a transformer that predicts the codes")

}  // namespace pianokpm
