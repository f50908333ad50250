#pragma once
// CodeTalker-style baseline (architecture "codetalker"), adapted from speech-driven face motion
// to pose(+keys)-driven EMG as the PianoKPM paper compares against it. Two stages, each trained
// by `pianokpm train` in turn (config.codetalker.vq_stage_share of the epochs go to stage 1):
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
