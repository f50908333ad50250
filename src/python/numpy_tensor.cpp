#include "python/numpy_tensor.h"

#include <cstring>

namespace pianokpm::python {

torch::Tensor float_tensor(const py::handle& object, const std::string& what) {
  py::array_t<float, py::array::c_style | py::array::forcecast> a;
  try {
    a = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(object);
  } catch (const py::error_already_set&) {
    a = {};
  }
  if (!a) throw py::value_error(what + ": expected a numeric array");
  std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
  torch::Tensor t = torch::empty(shape, torch::kFloat);
  if (t.numel()) std::memcpy(t.data_ptr(), a.data(), static_cast<size_t>(t.numel()) * sizeof(float));
  return t;
}

namespace {

template <typename T>
py::array copy_out(const torch::Tensor& t) {
  py::array_t<T> out(std::vector<py::ssize_t>(t.sizes().begin(), t.sizes().end()));
  if (t.numel()) std::memcpy(out.mutable_data(), t.data_ptr(), static_cast<size_t>(t.numel()) * sizeof(T));
  return std::move(out);
}

}  // namespace

py::array to_numpy(const torch::Tensor& tensor) {
  const torch::Tensor t = tensor.cpu().contiguous();
  switch (t.scalar_type()) {
    case torch::kFloat: return copy_out<float>(t);
    case torch::kDouble: return copy_out<double>(t);
    case torch::kInt: return copy_out<int32_t>(t);
    case torch::kLong: return copy_out<int64_t>(t);
    case torch::kBool: return copy_out<bool>(t);
    default: return copy_out<float>(t.to(torch::kFloat));
  }
}

bool is_path_like(const py::handle& object) {
  // Leaked on purpose: a static py::object would be released after the interpreter is gone.
  static const py::object* path_like = new py::object(py::module_::import("os").attr("PathLike"));
  return py::isinstance<py::str>(object) || py::isinstance(object, *path_like);
}

std::string path_string(const py::handle& object) {
  return py::str(py::module_::import("os").attr("fspath")(object)).cast<std::string>();
}

py::object json_to_python(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace pianokpm::python
