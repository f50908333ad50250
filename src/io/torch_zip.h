#pragma once
// Reads a PyTorch state dict saved by `torch.save(model.state_dict(), path)` (zip format, torch
// >= 1.6): the archive's records through libtorch's PyTorchStreamReader, the `data.pkl` inside
// through our restricted unpickler (OrderedDict, _rebuild_tensor_v2 and storage ids only).
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace pianokpm {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Tensors in file order. Errors (not a zip, truncated, foreign objects) are InputErrors naming `path`.
NamedTensors read_torch_state_dict(const std::string& path);

}  // namespace pianokpm
