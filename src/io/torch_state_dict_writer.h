#pragma once
// Writes named tensors the way `torch.save(model.state_dict(), path)` does (torch >= 1.6 zip
// format): an OrderedDict of tensors pickled with protocol 2 into `archive/data.pkl`, each storage
// in `archive/data/<key>`, through libtorch's PyTorchStreamWriter. `torch.load` reads it, and so
// does read_torch_state_dict. Tensors that are the same tensor (same data, shape and strides)
// share one storage, as aliased module registrations do in PyTorch.
#include <string>

#include "io/torch_zip.h"

namespace pianokpm {

// float32, float64 and int64 CPU tensors (others are an std::invalid_argument naming the entry).
// Written to a temporary name and renamed when complete.
void write_torch_state_dict(const std::string& path, const NamedTensors& tensors);

}  // namespace pianokpm
