#include "core/device.h"

#include "core/input_error.h"

namespace pianokpm {

torch::Device parse_device(const std::string& name, const std::string& option) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available()) throw InputError(option, "CUDA is not available in this build of libtorch");
    return torch::Device(name);
  }
  throw InputError(option, "must be cpu or cuda, not '" + name + "'");
}

}  // namespace pianokpm
