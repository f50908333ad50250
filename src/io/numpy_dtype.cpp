#include "io/numpy_dtype.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/input_error.h"
#include "io/mapped_file.h"

namespace pianokpm {

NumpyDtype NumpyDtype::parse(const std::string& descr, const std::string& source) {
  NumpyDtype d;
  std::string s = descr;
  if (!s.empty() && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=')) {
    d.byte_order = s[0];
    s = s.substr(1);
  }
  if (s.size() < 2 || !std::isdigit(static_cast<unsigned char>(s[1])) || s.size() > 3) {
    throw InputError(source, "holds dtype '" + descr + "', expected numbers (float or int)");
  }
  d.kind = s[0];
  d.item_size = std::stoi(s.substr(1));
  const bool ok =
      (d.kind == 'f' && (d.item_size == 2 || d.item_size == 4 || d.item_size == 8)) ||
      ((d.kind == 'i' || d.kind == 'u') && (d.item_size == 1 || d.item_size == 2 || d.item_size == 4 || d.item_size == 8)) ||
      (d.kind == 'b' && d.item_size == 1);
  if (!ok) throw InputError(source, "holds dtype '" + descr + "', expected numbers (float or int)");
  if (d.byte_order == '=') d.byte_order = '<';  // every platform we build for is little-endian
  return d;
}

std::string NumpyDtype::str() const { return fmt::format("{}{}{}", byte_order, kind, item_size); }

namespace {

torch::ScalarType storage_type(const NumpyDtype& d) {
  if (d.kind == 'f') return d.item_size == 2 ? torch::kHalf : d.item_size == 4 ? torch::kFloat : torch::kDouble;
  if (d.kind == 'b') return torch::kBool;
  if (d.kind == 'u' && d.item_size == 1) return torch::kByte;
  switch (d.item_size) {  // unsigned wider than a byte is read as the signed type, then widened
    case 1: return torch::kChar;
    case 2: return torch::kShort;
    case 4: return torch::kInt;
    default: return torch::kLong;
  }
}

// Checks that `size_bytes` is exactly prod(shape) items; returns it.
uint64_t expected_bytes(const NumpyDtype& dtype, const std::vector<int64_t>& shape, size_t size_bytes,
                        const std::string& source) {
  uint64_t count = 1;
  for (int64_t n : shape) {
    if (n < 0) throw InputError(source, "negative array dimension");
    if (n != 0 && count > (uint64_t{1} << 40) / static_cast<uint64_t>(n)) {
      throw InputError(source, "array too large");
    }
    count *= static_cast<uint64_t>(n);
  }
  if (count * static_cast<uint64_t>(dtype.item_size) != size_bytes) {
    throw InputError(source, fmt::format("truncated or inconsistent array data: shape needs {} bytes, file has {}",
                                         count * dtype.item_size, size_bytes));
  }
  return size_bytes;
}

}  // namespace

torch::Tensor tensor_from_buffer(const NumpyDtype& dtype, const std::vector<int64_t>& shape, bool fortran_order, const char* data,
                                 size_t size_bytes, const std::string& source) {
  expected_bytes(dtype, shape, size_bytes, source);  // before allocating
  return tensor_from_bytes(dtype, shape, fortran_order, copy_to_byte_tensor({data, size_bytes}, 0, {}), source);
}

torch::Tensor tensor_from_bytes(const NumpyDtype& dtype, const std::vector<int64_t>& shape, bool fortran_order,
                                const torch::Tensor& bytes, const std::string& source) {
  const uint64_t count = expected_bytes(dtype, shape, static_cast<size_t>(bytes.numel()), source) / dtype.item_size;
  std::vector<int64_t> layout = shape;
  if (fortran_order) std::reverse(layout.begin(), layout.end());
  // The same memory seen as items (the byte tensor's storage is aligned for any item size).
  torch::Tensor t = count == 0 ? torch::empty(layout, torch::TensorOptions().dtype(storage_type(dtype)))
                               : bytes.view(storage_type(dtype)).view(layout);
  if (dtype.byte_order == '>' && dtype.item_size > 1) {
    t = t.clone();  // the bytes may back another array of the same pickle (memo)
    auto* p = static_cast<char*>(t.data_ptr());
    for (uint64_t i = 0; i < count; ++i) std::reverse(p + i * dtype.item_size, p + (i + 1) * dtype.item_size);
  }
  if (dtype.kind == 'u' && dtype.item_size > 1) {
    const int64_t mask = dtype.item_size == 8 ? -1 : (int64_t{1} << (8 * dtype.item_size)) - 1;
    t = t.to(torch::kLong).bitwise_and(mask);
    if (dtype.item_size == 8 && count > 0 && t.lt(0).any().item<bool>()) {
      throw InputError(source, "uint64 values above 2^63 are not supported");
    }
  }
  if (fortran_order && layout.size() > 1) {
    std::vector<int64_t> perm(layout.size());
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
    t = t.permute(perm).contiguous();
  }
  return t;
}

NumpyWritable numpy_writable(const torch::Tensor& tensor) {
  torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
  switch (t.scalar_type()) {
    case torch::kFloat: return {t, "f4"};
    case torch::kDouble: return {t, "f8"};
    case torch::kInt: return {t, "i4"};
    case torch::kLong: return {t, "i8"};
    default: return {t.to(torch::kFloat), "f4"};
  }
}

}  // namespace pianokpm
