#pragma once
// Numpy arrays as the PianoKPM release stores them: a Python pickle (protocol 2 to 5) of one
// numpy array (numpy 1.x `numpy.core.multiarray` or 2.x `numpy._core.multiarray`), or of plain
// nested lists of numbers. Anything else in the pickle is refused (see unpickler.h).
#include <torch/torch.h>

#include <string>
#include <string_view>

#include "io/unpickler.h"

namespace pianokpm {

// The numpy classes and functions an array pickle may name, with their C++ builders.
pickle::PickleClasses numpy_pickle_classes();

// A loaded pickle value as a numeric tensor: an ndarray as is, nested number lists as float64.
// `max_nodes` bounds the list elements visited: memo references let a small pickle describe an
// exponentially large nested list, which must be refused rather than expanded.
torch::Tensor numeric_tensor_from_value(const pickle::ValuePtr& value, const std::string& source, int64_t max_nodes);

// Parses pickle bytes holding one numeric array; `release` as in unpickle().
torch::Tensor parse_numpy_pickle(std::string_view bytes, const std::string& source, const ReleaseRange& release = {});

}  // namespace pianokpm
