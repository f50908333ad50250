#include "io/npy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <regex>

#include "core/input_error.h"
#include "io/mapped_file.h"
#include "io/numpy_dtype.h"

namespace pianokpm {

namespace {

const std::string kMagic = "\x93NUMPY";

std::string header_field(const std::string& header, const std::string& key, const std::string& source) {
  // The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
  const std::regex re("['\"]" + key + "['\"]\\s*:\\s*('[^']*'|\"[^\"]*\"|True|False|\\([^)]*\\))");
  std::smatch m;
  if (!std::regex_search(header, m, re)) throw InputError(source, "malformed .npy header: no '" + key + "'");
  return m[1].str();
}

}  // namespace

torch::Tensor parse_npy(std::string_view bytes, const std::string& source, const ReleaseRange& release) {
  if (bytes.size() < 10 || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    throw InputError(source, "not a .npy file (bad magic)");
  }
  const int major = static_cast<uint8_t>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw InputError(source, "truncated .npy header");
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw InputError(source, fmt::format("unsupported .npy version {}", major));
  }
  if (header_len > bytes.size() - offset) throw InputError(source, "truncated .npy header");
  const std::string header(bytes.substr(offset, header_len));
  std::string descr = header_field(header, "descr", source);
  descr = descr.substr(1, descr.size() - 2);
  const bool fortran = header_field(header, "fortran_order", source) == "True";
  const std::string shape_text = header_field(header, "shape", source);
  std::vector<int64_t> shape;
  const std::regex number("\\d+");
  for (auto it = std::sregex_iterator(shape_text.begin(), shape_text.end(), number); it != std::sregex_iterator(); ++it) {
    if (it->str().size() > 15) throw InputError(source, "malformed .npy header: dimension too large");
    shape.push_back(std::stoll(it->str()));
  }
  const NumpyDtype dtype = NumpyDtype::parse(descr, source);
  const size_t data_offset = offset + header_len;
  return tensor_from_bytes(dtype, shape, fortran, copy_to_byte_tensor(bytes.substr(data_offset), data_offset, release), source);
}

std::string serialize_npy(const torch::Tensor& tensor) {
  const auto [t, kind_and_size] = numpy_writable(tensor);
  const std::string descr = "<" + kind_and_size;
  std::vector<std::string> dims;
  for (int64_t d : t.sizes()) dims.push_back(std::to_string(d));
  const std::string shape = fmt::format("{}{}", fmt::join(dims, ", "), dims.size() == 1 ? "," : "");
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, shape);
  // Pad so the data starts on a 64-byte boundary, header ends with '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = kMagic;
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>((header.size() >> 8) & 0xFF));
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  return out;
}

}  // namespace pianokpm
