#pragma once
#include <torch/torch.h>

#include <string>

namespace pianokpm {

// "cpu", "cuda" or "cuda:N"; CUDA only where this libtorch has it. Errors are InputErrors
// naming `option` (the command line's; the Python module names its argument).
torch::Device parse_device(const std::string& name, const std::string& option = "--device");

}  // namespace pianokpm
