#pragma once
// NumPy's .npy format (versions 1.0, 2.0, 3.0): numeric dtypes only, C or Fortran order.
#include <torch/torch.h>

#include <string>
#include <string_view>

#include "io/mapped_file.h"

namespace pianokpm {

// `release` (may be empty) is told which parts of `bytes` have been copied into the array.
torch::Tensor parse_npy(std::string_view bytes, const std::string& source, const ReleaseRange& release = {});

// .npy version 1.0 bytes of a float32/float64/int tensor (written in C order, little-endian).
std::string serialize_npy(const torch::Tensor& tensor);

}  // namespace pianokpm
