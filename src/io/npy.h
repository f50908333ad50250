#pragma once
// NumPy's .npy format (versions 1.0, 2.0, 3.0): numeric dtypes only, C or Fortran order.
#include <torch/torch.h>

#include <string>

namespace pianokpm {

torch::Tensor parse_npy(const std::string& bytes, const std::string& source);

// .npy version 1.0 bytes of a float32/float64/int tensor (written in C order, little-endian).
std::string serialize_npy(const torch::Tensor& tensor);

}  // namespace pianokpm
