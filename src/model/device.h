#pragma once
#include <torch/torch.h>

#include <string>

namespace pianokpm {

// "cpu", "cuda" or "cuda:N"; CUDA only where this libtorch has it. Errors are InputErrors
// naming the --device option.
torch::Device parse_device(const std::string& name);

}  // namespace pianokpm
