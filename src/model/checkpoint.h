#pragma once
// Model files. Two formats are read by `load_model`:
//  - official PyTorch state dicts (`torch.save(model.state_dict())`, .pth): weights only, so the
//    config comes from the caller (default: the released configuration, pose+keys);
//  - our checkpoints (.pt, a libtorch archive): weights + config JSON + modality + optional
//    training state, so `--model FILE` needs nothing else.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "model/emg_model.h"

namespace pianokpm {

struct LoadedModel {
  EmgModel net;
  std::string format;       // "pianokpm" or "pytorch-state-dict"
  nlohmann::json metadata;  // ours only: whatever the writer stored (training state, notes)
};

// `config_for_state_dict` applies to official state dicts only (ours carry their own config).
LoadedModel load_model(const std::string& path, const std::optional<ModelConfig>& config_for_state_dict = {});

// Writes our checkpoint atomically; with `optimizer`, its state too (for resuming training).
void save_checkpoint(const std::string& path, EmgModel& net, const nlohmann::json& metadata = {},
                     torch::optim::Optimizer* optimizer = nullptr);

// Restores the optimizer state saved with a checkpoint. Throws InputError if there is none.
void load_optimizer_state(const std::string& path, torch::optim::Optimizer& optimizer);

}  // namespace pianokpm
