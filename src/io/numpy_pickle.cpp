#include "io/numpy_pickle.h"

#include <fmt/format.h>

#include <set>

#include "core/input_error.h"
#include "io/numpy_dtype.h"

namespace pianokpm {

using pickle::Kind;
using pickle::Value;
using pickle::ValuePtr;

namespace {

bool is_one_of(const std::string& name, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

const ValuePtr& arg(const ValuePtr& args, size_t i, Kind kind, const char* what) {
  if (args->items.size() <= i || args->items[i]->kind != kind) {
    throw std::runtime_error(std::string("malformed numpy pickle: bad ") + what);
  }
  return args->items[i];
}

std::vector<int64_t> shape_of(const ValuePtr& v) {
  if (v->kind == Kind::kInt) return {v->integer};
  if (v->kind != Kind::kTuple) throw std::runtime_error("malformed numpy pickle: shape is not a tuple");
  std::vector<int64_t> shape;
  for (const auto& d : v->items) {
    if (d->kind != Kind::kInt) throw std::runtime_error("malformed numpy pickle: shape holds a non-integer");
    shape.push_back(d->integer);
  }
  return shape;
}

// Protocol 2 written by Python 3 stores bytes as _codecs.encode(text, 'latin1').
std::string latin1_from_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<uint8_t>(s[++i]) & 0x3F)));
    } else {
      throw std::runtime_error("malformed numpy pickle: latin1 payload holds a character above U+00FF");
    }
  }
  return out;
}

// numpy's scalar(dtype, bytes): a single number, e.g. inside a list of np.float32 values.
ValuePtr make_scalar(const ValuePtr& args) {
  const auto& dtype = arg(args, 0, Kind::kDtype, "scalar dtype");
  const auto& data = args->items.size() > 1 ? args->items[1] : Value::none();
  if (data->kind != Kind::kBytes) throw std::runtime_error("malformed numpy pickle: scalar data");
  NumpyDtype d = NumpyDtype::parse(std::string(1, dtype->byte_order) + dtype->text, "");
  auto t = tensor_from_buffer(d, {}, false, data->text.data(), data->text.size(), "");
  return t.is_floating_point() ? Value::from_float(t.item<double>()) : Value::from_int(t.item<int64_t>());
}

// An array over a bytes Value: large payloads (a byte tensor, see unpickler.h) are shared, not copied.
torch::Tensor array_from_bytes(const NumpyDtype& d, const std::vector<int64_t>& shape, bool fortran, const Value& data) {
  if (data.tensor.defined()) return tensor_from_bytes(d, shape, fortran, data.tensor, "");
  return tensor_from_buffer(d, shape, fortran, data.text.data(), data.text.size(), "");
}

}  // namespace

pickle::PickleClasses numpy_pickle_classes() {
  pickle::PickleClasses c;
  for (const char* core : {"numpy.core", "numpy._core"}) {
    c.allowed_globals.insert(std::string(core) + ".multiarray._reconstruct");
    c.allowed_globals.insert(std::string(core) + ".multiarray.scalar");
    c.allowed_globals.insert(std::string(core) + ".numeric._frombuffer");
  }
  c.allowed_globals.insert({"numpy.ndarray", "numpy.dtype", "_codecs.encode", "numpy.concatenate"});

  c.call = [](const std::string& fn, const ValuePtr& args) -> ValuePtr {
    if (is_one_of(fn, {"numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct"})) {
      auto stub = std::make_shared<Value>();
      stub->kind = Kind::kArrayStub;
      return stub;
    }
    if (fn == "numpy.dtype") {
      auto d = std::make_shared<Value>();
      d->kind = Kind::kDtype;
      d->text = arg(args, 0, Kind::kString, "dtype")->text;
      return d;
    }
    if (fn == "_codecs.encode") {
      return Value::from_bytes(latin1_from_utf8(arg(args, 0, Kind::kString, "encoded bytes")->text));
    }
    if (is_one_of(fn, {"numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar"})) {
      return make_scalar(args);
    }
    if (is_one_of(fn, {"numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer"})) {
      // Protocol 5: _frombuffer(buffer, dtype, shape, order)
      const auto& buf = arg(args, 0, Kind::kBytes, "array buffer");
      const auto& dtype = arg(args, 1, Kind::kDtype, "array dtype");
      const auto& order = arg(args, 3, Kind::kString, "array order");
      NumpyDtype d = NumpyDtype::parse(std::string(1, dtype->byte_order) + dtype->text, "");
      return Value::from_tensor(array_from_bytes(d, shape_of(args->items.at(2)), order->text == "F", *buf));
    }
    if (fn == "numpy.concatenate") {  // ([arrays],): a recording grown by parts (io/growing_pickle.h)
      const auto& parts = arg(args, 0, Kind::kList, "arrays to concatenate");
      std::vector<torch::Tensor> tensors;
      std::set<const Value*> seen;  // a part named twice (memo) could make a small file expand without bound
      for (const auto& p : parts->items) {
        if (!seen.insert(p.get()).second) throw std::runtime_error("concatenates one array twice");
        if (p->kind != Kind::kTensor) throw std::runtime_error("concatenates " + describe(p->kind) + ", expected arrays");
        if (!tensors.empty() &&
            (p->tensor.dim() != tensors[0].dim() || p->tensor.dim() == 0 ||
             p->tensor.sizes().slice(1) != tensors[0].sizes().slice(1) || p->tensor.scalar_type() != tensors[0].scalar_type()))
          throw std::runtime_error("concatenates arrays of different shapes or types");
        tensors.push_back(p->tensor);
      }
      if (tensors.empty()) throw std::runtime_error("concatenates no arrays");
      return Value::from_tensor(torch::cat(tensors, 0));
    }
    throw std::runtime_error("refuses to call '" + fn + "'");
  };

  c.build = [](Value& target, const ValuePtr& state) {
    if (state->kind != Kind::kTuple) throw std::runtime_error("malformed numpy pickle: BUILD state");
    if (target.kind == Kind::kDtype) {  // (version, byte order, ...)
      const auto& order = arg(state, 1, Kind::kString, "dtype byte order")->text;
      if (order.size() != 1) throw std::runtime_error("malformed numpy pickle: dtype byte order");
      target.byte_order = order[0];
      return;
    }
    if (target.kind == Kind::kArrayStub) {  // (version, shape, dtype, is_fortran, data)
      if (state->items.size() != 5) throw std::runtime_error("malformed numpy pickle: array state");
      const auto shape = shape_of(state->items[1]);
      const auto& dtype = arg(state, 2, Kind::kDtype, "array dtype");
      const auto& fortran = arg(state, 3, Kind::kBool, "array order");
      const auto& data = state->items[4];
      if (data->kind == Kind::kList) throw std::runtime_error("holds an object array, expected numbers");
      if (data->kind != Kind::kBytes && data->kind != Kind::kString) {
        throw std::runtime_error("malformed numpy pickle: array data is " + describe(data->kind));
      }
      NumpyDtype d = NumpyDtype::parse(std::string(1, dtype->byte_order) + dtype->text, "");
      if (data->kind == Kind::kString) {  // protocol 2: latin-1 text
        const std::string raw = latin1_from_utf8(data->text);
        target.tensor = tensor_from_buffer(d, shape, fortran->boolean, raw.data(), raw.size(), "");
      } else {
        target.tensor = array_from_bytes(d, shape, fortran->boolean, *data);
      }
      target.kind = Kind::kTensor;
      return;
    }
    throw std::runtime_error("malformed numpy pickle: BUILD on " + describe(target.kind));
  };
  return c;
}

namespace {

constexpr int kMaxListDepth = 32;

void flatten_numbers(const ValuePtr& v, int depth, std::vector<int64_t>& shape, std::vector<double>& out, int64_t& budget,
                     const std::string& source) {
  if (--budget < 0) throw InputError(source, "nested lists larger than the file can hold (shared references)");
  if (v->kind == Kind::kInt || v->kind == Kind::kFloat || v->kind == Kind::kBool) {
    if (depth != static_cast<int>(shape.size())) throw InputError(source, "holds ragged nested lists");
    out.push_back(v->kind == Kind::kFloat ? v->real
                  : v->kind == Kind::kInt ? static_cast<double>(v->integer)
                                          : (v->boolean ? 1.0 : 0.0));
    return;
  }
  if (v->kind != Kind::kList && v->kind != Kind::kTuple) {
    throw InputError(source, "holds " + describe(v->kind) + " inside a list, expected only numbers");
  }
  if (depth >= kMaxListDepth) throw InputError(source, "lists nested too deeply");
  const auto n = static_cast<int64_t>(v->items.size());
  if (depth == static_cast<int>(shape.size())) {
    if (!out.empty()) throw InputError(source, "holds ragged nested lists");
    shape.push_back(n);
  } else if (shape[depth] != n) {
    throw InputError(source, "holds ragged nested lists");
  }
  for (const auto& item : v->items) flatten_numbers(item, depth + 1, shape, out, budget, source);
}

}  // namespace

torch::Tensor numeric_tensor_from_value(const ValuePtr& value, const std::string& source, int64_t max_nodes) {
  if (value->kind == Kind::kTensor) return value->tensor;
  if (value->kind == Kind::kList || value->kind == Kind::kTuple) {
    std::vector<int64_t> shape;
    std::vector<double> numbers;
    flatten_numbers(value, 0, shape, numbers, max_nodes, source);
    return torch::tensor(numbers, torch::kDouble).reshape(shape);
  }
  throw InputError(source, "holds " + describe(value->kind) + ", expected a numeric array");
}

torch::Tensor parse_numpy_pickle(std::string_view bytes, const std::string& source, const ReleaseRange& release) {
  const pickle::Unpickled result = pickle::unpickle(bytes, source, numpy_pickle_classes(), release);
  // Each list element costs at least one opcode byte unless it is a shared reference.
  return numeric_tensor_from_value(result.root(), source, static_cast<int64_t>(bytes.size()) + 1);
}

}  // namespace pianokpm
