#pragma once
// Writes one numeric array as a numpy pickle, byte for byte what numpy 1.x + Python 3.8+ write
// with pickle.dump(array, f, protocol=4): `numpy.core.multiarray._reconstruct` + BUILD state,
// protocol-4 framing. Loads with pickle.load in numpy 1.x and 2.x (which maps numpy.core).
#include <torch/torch.h>

#include <string>

namespace pianokpm {

// float32, float64, int32 and int64 tensors (C order). Others are converted to float32.
std::string serialize_numpy_pickle(const torch::Tensor& array);

}  // namespace pianokpm
