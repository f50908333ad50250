#include "io/array_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "io/atomic_file.h"
#include "core/input_error.h"
#include "io/file_names.h"
#include "io/mapped_file.h"
#include "io/npy.h"
#include "io/numpy_pickle.h"
#include "io/numpy_pickle_writer.h"

namespace pianokpm {

torch::Tensor read_array(const std::string& path) {
  const std::string ext = lowercase_extension(path);
  if (ext != ".pkl" && ext != ".pickle" && ext != ".npy") {
    throw InputError(path, "unknown array format '" + ext + "' (expected .pkl or .npy)");
  }
  // Mapped, not read into a string: the array is then the only copy in memory (see mapped_file.h).
  const MappedFile file(path);
  if (file.bytes().empty()) throw InputError(path, "file is empty");
  return ext == ".npy" ? parse_npy(file.bytes(), path, file.releaser()) : parse_numpy_pickle(file.bytes(), path, file.releaser());
}

std::string serialize_csv(const torch::Tensor& array, const std::vector<std::string>& column_names) {
  torch::Tensor t = array.detach().to(torch::kCPU, torch::kDouble).contiguous();
  if (t.dim() == 1) t = t.unsqueeze(1);
  if (t.dim() != 2) throw std::invalid_argument("CSV output needs a 1-D or 2-D array");
  std::string out;
  if (!column_names.empty()) out += fmt::format("{}\n", fmt::join(column_names, ","));
  const auto* p = t.data_ptr<double>();
  const int64_t rows = t.size(0), cols = t.size(1);
  out.reserve(out.size() + static_cast<size_t>(rows * cols * 12));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      // float32 needs 9 significant digits to round-trip
      fmt::format_to(std::back_inserter(out), c ? ",{:.9g}" : "{:.9g}", p[r * cols + c]);
    }
    out.push_back('\n');
  }
  return out;
}

void write_array(const std::string& path, const torch::Tensor& array, const std::vector<std::string>& column_names) {
  const std::string ext = lowercase_extension(path);
  if (ext == ".npy") {
    write_file_atomically(path, serialize_npy(array));
  } else if (ext == ".pkl") {
    write_file_atomically(path, serialize_numpy_pickle(array));
  } else if (ext == ".csv") {
    if (!column_names.empty() && array.dim() == 2 && array.size(1) != static_cast<int64_t>(column_names.size())) {
      throw std::invalid_argument("CSV header does not match the column count");
    }
    write_file_atomically(path, serialize_csv(array, column_names));
  } else {
    throw InputError(path, "unknown output format '" + ext + "' (expected .csv, .npy or .pkl)");
  }
}

}  // namespace pianokpm
