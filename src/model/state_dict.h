#pragma once
// Strict weight loading: every tensor of the model must be in the file with its exact shape, and
// every tensor in the file must belong to the model. Errors name the tensor and the file.
#include <string>

#include "io/torch_zip.h"
#include "model/emg_model.h"

namespace pianokpm {

// The release registers its encoder twice: network.pose_tds.N / network.key_tds.N alias
// network.pose_conv.N (N < number of front blocks) or network.tds_stages.(N - front).
// Returns the canonical name, or `name` unchanged when it is no alias.
std::string canonical_tensor_name(const std::string& name, const ModelConfig& config);

// Copies `tensors` into `model` (converted to the model's dtype). Aliases must equal their target.
void load_named_tensors(EmgModel& model, const NamedTensors& tensors, const std::string& source);

// The model's tensors (parameters then buffers) by name, for saving.
NamedTensors named_tensors(EmgModel& model);

// The model's tensors under the names and in the order of the release's `state_dict()`, aliases
// included (network.pose_tds.N and network.key_tds.N share their targets' tensors), so that the
// published code's strict `load_state_dict` accepts them. Only the released architecture
// ("pianokpm") has such names; others are an std::invalid_argument.
NamedTensors release_state_dict(EmgModel& model);

// Writes release_state_dict(model) as a PyTorch state dict at `out` (.pth) and the model's config
// JSON beside it (same name, .json; `predict --config` reads it). Both appear complete or not at
// all.
struct ReleaseExport {
  std::string config_path;
  size_t tensors = 0;  // entries in the state dict, aliases included
};
// Empty when a model of `config` can be exported as the release's state dict, else why not, as
// the end of a sentence about the model ("is a neuropose model; ...").
std::string release_export_refusal(const ModelConfig& config);
// The config, provenance included, goes beside the weights. Throws std::invalid_argument when
// release_export_refusal(model->config()) is not empty.
ReleaseExport export_release_model(EmgModel& model, const std::string& out);

}  // namespace pianokpm
