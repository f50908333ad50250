#include "io/torch_zip.h"

#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>

#include <map>
#include <optional>

#include "io/atomic_file.h"
#include "core/input_error.h"
#include "io/unpickler.h"

namespace pianokpm {

using pickle::Kind;
using pickle::Value;
using pickle::ValuePtr;

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

const std::map<std::string, torch::ScalarType>& storage_types() {
  static const std::map<std::string, torch::ScalarType> types = {
      {"torch.FloatStorage", torch::kFloat},       {"torch.DoubleStorage", torch::kDouble}, {"torch.HalfStorage", torch::kHalf},
      {"torch.BFloat16Storage", torch::kBFloat16}, {"torch.LongStorage", torch::kLong},     {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort},       {"torch.CharStorage", torch::kChar},     {"torch.ByteStorage", torch::kByte},
      {"torch.BoolStorage", torch::kBool}};
  return types;
}

std::vector<int64_t> int_tuple(const ValuePtr& v, const char* what) {
  if (v->kind != Kind::kTuple) throw std::runtime_error(std::string("malformed tensor ") + what);
  std::vector<int64_t> out;
  for (const auto& i : v->items) {
    if (i->kind != Kind::kInt) throw std::runtime_error(std::string("malformed tensor ") + what);
    out.push_back(i->integer);
  }
  return out;
}

// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, ...)
ValuePtr rebuild_tensor(const ValuePtr& args) {
  if (args->items.size() < 4 || args->items[0]->kind != Kind::kStorage || args->items[1]->kind != Kind::kInt) {
    throw std::runtime_error("malformed tensor record");
  }
  const torch::Tensor& storage = args->items[0]->tensor;
  const int64_t offset = args->items[1]->integer;
  const auto size = int_tuple(args->items[2], "size");
  const auto stride = int_tuple(args->items[3], "stride");
  if (size.size() != stride.size()) throw std::runtime_error("malformed tensor: size and stride differ in rank");
  int64_t last = offset;
  for (size_t i = 0; i < size.size(); ++i) {
    if (size[i] < 0 || stride[i] < 0) throw std::runtime_error("malformed tensor: negative size or stride");
    if (size[i] == 0) last = -1;
    if (last >= 0) last += (size[i] - 1) * stride[i];
  }
  if (offset < 0 || last >= storage.numel()) throw std::runtime_error("malformed tensor: runs past its storage");
  return Value::from_tensor(storage.as_strided(size, stride, offset));
}

}  // namespace

NamedTensors read_torch_state_dict(const std::string& path) {
  read_file(path);  // clear errors for a missing file or a directory
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> zip;
  std::string pickle_bytes;
  try {
    zip = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    if (!zip->hasRecord("data.pkl")) throw InputError(path, "not a PyTorch state dict: no data.pkl record");
    auto [data, size] = zip->getRecord("data.pkl");
    pickle_bytes.assign(static_cast<const char*>(data.get()), size);
  } catch (const c10::Error& e) {
    throw InputError(path,
                     "not a readable PyTorch zip checkpoint (truncated or corrupt?): " + first_line(e.what_without_backtrace()));
  }

  std::map<std::string, torch::Tensor> storages;
  pickle::PickleClasses classes;
  classes.allowed_globals = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2"};
  for (const auto& [name, type] : storage_types()) classes.allowed_globals.insert(name);
  classes.call = [](const std::string& fn, const ValuePtr& args) -> ValuePtr {
    if (fn == "collections.OrderedDict") return Value::dict();
    if (fn == "torch._utils._rebuild_tensor_v2") return rebuild_tensor(args);
    throw std::runtime_error("refuses to call '" + fn + "'");
  };
  classes.build = [](Value& target, const ValuePtr&) {
    // state_dict() carries a `_metadata` attribute (module versions) that loading does not need.
    if (target.kind != Kind::kDict) throw std::runtime_error("malformed: BUILD on " + describe(target.kind));
  };
  classes.persistent_load = [&](const ValuePtr& pid) -> ValuePtr {
    // ('storage', torch.FloatStorage, key, location, numel)
    if (pid->kind != Kind::kTuple || pid->items.size() != 5 || pid->items[1]->kind != Kind::kGlobal ||
        pid->items[2]->kind != Kind::kString || pid->items[4]->kind != Kind::kInt) {
      throw std::runtime_error("malformed storage id");
    }
    const std::string key = pid->items[2]->text;
    auto it = storages.find(key);
    if (it == storages.end()) {
      const auto type = storage_types().at(pid->items[1]->text);
      const int64_t numel = pid->items[4]->integer;
      const std::string record = "data/" + key;
      if (!zip->hasRecord(record)) throw std::runtime_error("missing storage record " + record);
      auto [data, size] = zip->getRecord(record);
      const size_t need = static_cast<size_t>(numel) * c10::elementSize(type);
      if (numel < 0 || size < need) throw std::runtime_error("storage record " + record + " is truncated");
      torch::Tensor t = torch::empty({numel}, torch::TensorOptions().dtype(type));
      std::memcpy(t.data_ptr(), data.get(), need);
      it = storages.emplace(key, t).first;
    }
    auto v = std::make_shared<Value>();
    v->kind = Kind::kStorage;
    v->tensor = it->second;
    return v;
  };

  std::optional<pickle::Unpickled> result;
  try {
    result.emplace(pickle::unpickle(pickle_bytes, path, classes));
  } catch (const c10::Error& e) {
    throw InputError(path, "corrupt checkpoint record: " + first_line(e.what_without_backtrace()));
  }
  const ValuePtr& root = result->root();
  if (root->kind != Kind::kDict) throw InputError(path, "holds " + describe(root->kind) + ", expected a state dict");
  NamedTensors tensors;
  for (const auto& [key, value] : root->entries) {
    if (key->kind != Kind::kString || value->kind != Kind::kTensor) {
      throw InputError(path, "state dict entry is not a named tensor");
    }
    tensors.emplace_back(key->text, value->tensor);
  }
  return tensors;
}

}  // namespace pianokpm
