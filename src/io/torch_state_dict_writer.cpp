#include "io/torch_state_dict_writer.h"

#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>

#include <map>
#include <stdexcept>
#include <tuple>

#include "io/atomic_file.h"

namespace pianokpm {

namespace {

// Pickle protocol 2, the opcodes torch.save emits for a state dict (no memo: every global is
// spelled out, which any unpickler accepts).
class Pickle2 {
 public:
  Pickle2() { out_ = "\x80\x02"; }
  void global(const std::string& module, const std::string& name) { out_ += "c" + module + "\n" + name + "\n"; }
  void text(const std::string& s) {  // BINUNICODE
    out_ += 'X';
    le32(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void integer(int64_t v) {
    if (v >= 0 && v < 256) {
      out_ += 'K';
      out_ += static_cast<char>(v);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      out_ += 'J';
      le32(static_cast<uint32_t>(v));
    } else {
      out_ += "\x8a\x08";  // LONG1, 8 bytes
      for (int i = 0; i < 8; ++i) out_ += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF);
    }
  }
  void int_tuple(c10::IntArrayRef values) {
    if (values.empty()) {
      out_ += ')';
      return;
    }
    out_ += '(';
    for (int64_t v : values) integer(v);
    out_ += 't';
  }
  void op(const std::string& opcodes) { out_ += opcodes; }
  const std::string& bytes() const { return out_; }

 private:
  void le32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_ += static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  std::string out_;
};

const char* storage_class(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat: return "FloatStorage";
    case torch::kDouble: return "DoubleStorage";
    case torch::kLong: return "LongStorage";
    default: return nullptr;
  }
}

}  // namespace

void write_torch_state_dict(const std::string& path, const NamedTensors& tensors) {
  // One storage per distinct tensor; aliases point at the first one's key.
  using Identity = std::tuple<const void*, std::vector<int64_t>, std::vector<int64_t>, int>;
  std::map<Identity, std::string> keys;
  std::vector<std::pair<std::string, torch::Tensor>> storages;  // key, contiguous data

  Pickle2 p;
  p.global("collections", "OrderedDict");
  p.op(")R(");  // OrderedDict(), then MARK for SETITEMS
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined() || !tensor.device().is_cpu() || !storage_class(tensor.scalar_type()))
      throw std::invalid_argument(fmt::format("{}: tensor '{}' is not a float32, float64 or int64 CPU tensor", path, name));
    const Identity id{tensor.data_ptr(), tensor.sizes().vec(), tensor.strides().vec(), static_cast<int>(tensor.scalar_type())};
    auto it = keys.find(id);
    if (it == keys.end()) {
      it = keys.emplace(id, std::to_string(storages.size())).first;
      storages.emplace_back(it->second, tensor.contiguous());
    }
    const torch::Tensor& stored = storages[std::stoul(it->second)].second;
    p.text(name);
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.op("((");  // args tuple, then the persistent id tuple
    p.text("storage");
    p.global("torch", storage_class(tensor.scalar_type()));
    p.text(it->second);
    p.text("cpu");
    p.integer(stored.numel());
    p.op("tQ");  // TUPLE, BINPERSID
    p.integer(0);
    p.int_tuple(stored.sizes());
    p.int_tuple(stored.strides());
    p.op("\x89");  // requires_grad = False
    p.global("collections", "OrderedDict");
    p.op(")RtR");  // backward hooks OrderedDict(); TUPLE; REDUCE
  }
  p.op("u.");  // SETITEMS, STOP

  std::string zip;
  {
    caffe2::serialize::PyTorchStreamWriter writer([&zip](const void* data, size_t n) {
      zip.append(static_cast<const char*>(data), n);
      return n;
    });
    writer.writeRecord("data.pkl", p.bytes().data(), p.bytes().size());
    for (const auto& [key, data] : storages)
      writer.writeRecord("data/" + key, data.data_ptr(), static_cast<size_t>(data.numel() * data.element_size()));
    writer.writeEndOfFile();
  }
  write_file_atomically(path, zip);
}

}  // namespace pianokpm
