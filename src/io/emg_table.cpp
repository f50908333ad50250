#include "io/emg_table.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/file_names.h"
#include "core/input_error.h"
#include "core/stream_layout.h"

namespace pianokpm {

namespace {

bool is_time_column(std::string name) {
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name == "time" || name == "time_s" || name == "t" || name == "sample";
}

// `channels` columns, or three times as many when `interval_columns` (estimates, lower, upper).
bool fits(int64_t columns, int64_t channels, bool interval_columns) {
  return columns == channels || (interval_columns && columns == 3 * channels);
}

torch::Tensor read_csv_table(const std::string& path, int64_t channels, bool interval_columns) {
  std::istringstream in(read_file(path));
  std::string line;
  if (!std::getline(in, line)) throw InputError(path, "empty EMG CSV (a header row is needed)");
  const auto header = split_csv_line(line);
  const size_t n = header.size();
  const size_t skip = (n > 0 && is_time_column(header[0])) ? 1 : 0;
  if (!fits(static_cast<int64_t>(n - skip), channels, interval_columns)) {
    throw InputError(path,
                     fmt::format("EMG has {} channels; expected {} ({}){}", n - skip, channels, fmt::join(muscle_names(), ", "),
                                 interval_columns ? fmt::format(" or {} (with lower and upper bounds)", 3 * channels) : ""));
  }
  channels = static_cast<int64_t>(n - skip);
  std::vector<float> data;
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = split_csv_line(line);
    if (fields.size() != n) {
      throw InputError(path, fmt::format("line {} has {} fields but the header has {}", line_number, fields.size(), n));
    }
    for (size_t c = skip; c < n; ++c) {
      char* end = nullptr;
      const double v = std::strtod(fields[c].c_str(), &end);
      while (end && (*end == ' ' || *end == '\r')) ++end;
      if (end == fields[c].c_str() || *end != '\0') {
        throw InputError(path, fmt::format("line {} column {}: '{}' is not a number", line_number, header[c], fields[c]));
      }
      if (!std::isfinite(v))
        throw InputError(path, fmt::format("line {} column {}: value is not finite", line_number, header[c]));
      data.push_back(static_cast<float>(v));
    }
  }
  const auto rows = static_cast<int64_t>(data.size()) / channels;
  if (rows == 0) throw InputError(path, "EMG CSV has no rows");
  return torch::from_blob(data.data(), {rows, channels}, torch::kFloat).clone();
}

torch::Tensor read_table(const std::string& path, int64_t channels, bool interval_columns) {
  torch::Tensor emg;
  if (lowercase_extension(path) == ".csv") {
    emg = read_csv_table(path, channels, interval_columns);
  } else {
    emg = read_array(path);
    if (emg.dim() != 2 || !fits(emg.size(1), channels, interval_columns)) {
      throw InputError(
          path, fmt::format("EMG has shape {}; expected [N, {}] ({}){}", fmt::join(emg.sizes(), "x"), channels,
                            fmt::join(muscle_names(), ", "),
                            interval_columns ? fmt::format(" or [N, {}] (with lower and upper bounds)", 3 * channels) : ""));
    }
    if (emg.size(0) == 0) throw InputError(path, "EMG has no rows");
    emg = emg.to(torch::kFloat).contiguous();
    const torch::Tensor bad = (~torch::isfinite(emg)).nonzero();
    if (bad.size(0) > 0) {
      throw InputError(
          path, fmt::format("row {} channel {}: value is not finite", bad[0][0].item<int64_t>(), bad[0][1].item<int64_t>()));
    }
  }
  return emg;
}

}  // namespace

torch::Tensor read_emg_table(const std::string& path, int64_t channels) { return read_table(path, channels, false); }

EmgWithInterval read_emg_with_interval(const std::string& path, int64_t channels) {
  const torch::Tensor t = read_table(path, channels, true);
  if (t.size(1) == channels) return {t, {}, {}};
  return {t.narrow(1, 0, channels).contiguous(), t.narrow(1, channels, channels).contiguous(),
          t.narrow(1, 2 * channels, channels).contiguous()};
}

}  // namespace pianokpm
