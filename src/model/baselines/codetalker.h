#pragma once
// CodeTalker-style baseline (architecture "codetalker"), adapted from speech-driven face motion
// to pose(+keys)-driven EMG as the PianoKPM paper compares against it. Two stages, each trained
// by `pianokpm train` in turn (vq_stage_share of the epochs go to stage 1):
//  1. a VQ-VAE over EMG windows learns a codebook of short EMG motifs: a strided convolutional
//     encoder [B, emg, T] -> [B, code_dim, N] (N = T / 2^downsample_log2), a vector quantiser
//     (nearest code; loss ||sg[z] - e||^2 + commitment * ||z - sg[e]||^2, which updates the
//     codebook and commits the encoder; straight-through gradients) and a decoder back to EMG;
//  2. a transformer decoder predicts the code sequence autoregressively (causal self-attention
//     over the codes so far, cross-attention to the pose/key tokens, each step also given its
//     own time's pose/key token), trained by cross-entropy against stage 1's codes of the
//     measured EMG; at prediction the codes are chosen greedily and stage 1's decoder turns
//     them into EMG.
// Names: vq_encoder, codebook, vq_decoder (stage 1); condition, token_embedding, position,
// transformer, head (stage 2).
#include <torch/torch.h>

#include "model/emg_model.h"

namespace pianokpm {

// In the config's JSON as one block: {"codetalker": {"codebook_size": 64, ...}}.
// One code covers 2^downsample_log2 samples.
struct CodeTalkerOptions {
  int codebook_size = 64;   // motifs in the codebook
  int code_dim = 64;        // width of a code vector
  int downsample_log2 = 5;  // stride-2 stages: 1024 samples -> 32 codes per window
  int vae_channels = 64;    // width of the VQ-VAE's convolutions
  int model_dim = 128;      // transformer width
  int heads = 4;
  int layers = 2;  // transformer decoder layers (causal self- and cross-attention)
  int feedforward = 256;
  double commitment = 0.25;     // beta in ||z - sg[e]||^2 (the encoder's commitment to its code)
  double vq_stage_share = 0.5;  // share of the run's epochs spent on stage 1 (the VQ-VAE)

  void check(const StreamLayout& layout) const;  // also: window_samples a multiple of 2^downsample_log2
  nlohmann::json to_json() const;
  static CodeTalkerOptions from_json(const nlohmann::json& j);
};

class CodeTalkerNetImpl : public EmgModelImpl {
 public:
  explicit CodeTalkerNetImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG

  int training_stage(int epoch, int epochs) const override;
  std::vector<std::string> stage_parameters(int stage) const override;
  bool has_own_loss(int /*stage*/) const override { return true; }
  torch::Tensor stage_loss(int stage, const torch::Tensor& pose, const torch::Tensor& keys, const torch::Tensor& emg) override;

  // Stage 1's parts, [B, emg, T] <-> codes [B, N] (int64).
  torch::Tensor emg_to_codes(const torch::Tensor& emg);
  torch::Tensor codes_to_emg(const torch::Tensor& codes);
  // Stage 2: logits [B, N, codebook_size] of each code given the codes before it (teacher
  // forcing; codes [B, N]) and the inputs.
  torch::Tensor code_logits(const torch::Tensor& pose, const torch::Tensor& keys, const torch::Tensor& codes);
  // Greedy autoregressive codes [B, N] for the inputs.
  torch::Tensor predict_codes(const torch::Tensor& pose, const torch::Tensor& keys);

  struct Quantised {
    torch::Tensor codes;    // [B, N] int64
    torch::Tensor vectors;  // [B, code_dim, N], straight-through to the encoder's output
    torch::Tensor vq_loss;  // codebook + commitment terms, a scalar
  };
  Quantised quantise(const torch::Tensor& z);  // z [B, code_dim, N]

 private:
  CodeTalkerOptions options_;
  int tokens_ = 0;  // codes per window
  torch::nn::Sequential vq_encoder_{nullptr}, vq_decoder_{nullptr}, condition_{nullptr};
  torch::Tensor codebook_;                         // [codebook_size, code_dim]
  torch::nn::Embedding token_embedding_{nullptr};  // codebook_size + 1 (the start token)
  torch::Tensor position_;                         // [tokens, model_dim]
  torch::nn::TransformerDecoder transformer_{nullptr};
  torch::nn::Linear head_{nullptr};

  torch::Tensor condition_tokens(const torch::Tensor& pose, const torch::Tensor& keys);         // [N, B, model_dim]
  torch::Tensor logits_from(const torch::Tensor& memory, const torch::Tensor& previous_codes);  // [B, n, K]
};

}  // namespace pianokpm
