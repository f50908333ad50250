#pragma once
// numpy arrays <-> torch tensors at the module's edge. Both directions copy: numpy memory is
// never held after the call returns, and results never alias libtorch memory the caller frees.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>

namespace pianokpm::python {

namespace py = pybind11;

// Any numeric array-like (lists too) as a float32 tensor, C order. Raises ValueError naming
// `what` for non-numeric input. Call with the GIL held.
torch::Tensor float_tensor(const py::handle& array, const std::string& what);

// float32, float64, int32, int64 and bool tensors as numpy arrays of the same dtype and shape.
py::array to_numpy(const torch::Tensor& tensor);

// Whether `object` is a str or os.PathLike (a file), and its path.
bool is_path_like(const py::handle& object);
std::string path_string(const py::handle& object);

// JSON (configs, analyses) as the dicts and lists Python's json module makes of it.
py::object json_to_python(const nlohmann::json& j);

}  // namespace pianokpm::python
