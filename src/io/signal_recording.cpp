#include "io/signal_recording.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/c3d_reader.h"
#include "io/file_names.h"
#include "core/input_error.h"
#ifdef PIANOKPM_HAVE_BIOSIG
#include "io/biosig_reader.h"
#endif

namespace pianokpm {

namespace {

bool is_time_column(std::string label) {
  std::transform(label.begin(), label.end(), label.begin(), [](unsigned char c) { return std::tolower(c); });
  return label == "time" || label == "time_s" || label == "t" || label == "seconds";
}

// CSV with a header row of channel labels; a first column named time/time_s/t/seconds gives the rate.
SignalRecording read_csv_signals(const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  if (!std::getline(in, line)) throw InputError(path, "empty CSV file (a header row of channel labels is needed)");
  const std::vector<std::string> header = split_csv_line(line);
  for (const auto& label : header) {
    char* end = nullptr;
    std::strtod(label.c_str(), &end);
    if (!label.empty() && end && *end == '\0') {
      throw InputError(path, "the first CSV row must be a header of channel labels, not numbers");
    }
  }
  std::vector<std::vector<double>> columns(header.size());
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = split_csv_line(line);
    if (fields.size() != header.size()) {
      throw InputError(path,
                       fmt::format("line {} has {} fields but the header has {}", line_number, fields.size(), header.size()));
    }
    for (size_t c = 0; c < fields.size(); ++c) {
      char* end = nullptr;
      const double v = std::strtod(fields[c].c_str(), &end);
      if (fields[c].empty() || *end != '\0') {
        throw InputError(path, fmt::format("line {} column '{}': '{}' is not a number", line_number, header[c], fields[c]));
      }
      columns[c].push_back(v);
    }
  }
  SignalRecording rec;
  rec.source = path;
  size_t first = 0;
  double rate = 0;
  if (!header.empty() && is_time_column(header[0])) {
    const auto& t = columns[0];
    if (t.size() < 2 || !(t.back() > t.front())) throw InputError(path, "the time column must increase");
    rate = static_cast<double>(t.size() - 1) / (t.back() - t.front());
    first = 1;
  }
  for (size_t c = first; c < header.size(); ++c) {
    rec.channels.push_back({header[c], "", rate, std::move(columns[c])});
  }
  return rec;
}

SignalRecording read_array_signals(const std::string& path) {
  torch::Tensor a = read_array(path);
  if (a.dim() == 1) a = a.unsqueeze(1);
  if (a.dim() != 2 || a.size(0) == 0) {
    throw InputError(path, "expected a signal array [samples] or [samples, channels]");
  }
  a = a.to(torch::kDouble).t().contiguous();
  SignalRecording rec;
  rec.source = path;
  for (int64_t c = 0; c < a.size(0); ++c) {
    const double* p = a[c].data_ptr<double>();
    rec.channels.push_back({fmt::format("ch{}", c), "", 0.0, std::vector<double>(p, p + a.size(1))});
  }
  return rec;
}

// A C3D file's analog channels (EMG, force plates), each at the analog rate.
SignalRecording read_c3d_signals(const std::string& path) {
  C3dFile c3d = read_c3d(path);
  if (c3d.analog.empty() || c3d.analog[0].empty()) throw InputError(path, "this C3D file has no analog channels");
  SignalRecording rec;
  rec.source = path;
  for (size_t c = 0; c < c3d.analog.size(); ++c) {
    rec.channels.push_back({c3d.analog_labels[c], c3d.analog_units[c], c3d.analog_rate_hz, std::move(c3d.analog[c])});
  }
  return rec;
}

std::vector<SignalChannel> select_channels(std::vector<SignalChannel> all, const std::vector<std::string>& wanted,
                                           const std::string& path) {
  if (wanted.empty()) return all;
  std::vector<SignalChannel> out;
  std::vector<size_t> picked;  // indices into `all`, to refuse a channel asked for twice
  for (const auto& w : wanted) {
    auto it = std::find_if(all.begin(), all.end(), [&](const SignalChannel& c) { return c.label == w; });
    const bool is_index = !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char ch) { return std::isdigit(ch); });
    if (it == all.end() && is_index) {
      // Numbered from 1, as EDFbrowser and amplifier software show them.
      const size_t number = w.size() <= 9 ? std::stoul(w) : 0;
      if (number == 0) throw InputError(path, fmt::format("channel number '{}': channels are numbered from 1", w));
      if (number <= all.size()) it = all.begin() + static_cast<std::ptrdiff_t>(number - 1);
    }
    if (it == all.end()) {
      std::string labels;
      for (size_t i = 0; i < all.size() && i < 8; ++i) labels += (i ? ", " : "") + all[i].label;
      throw InputError(
          path, fmt::format("no channel '{}' (it has {} channels: {}{})", w, all.size(), labels, all.size() > 8 ? ", ..." : ""));
    }
    const auto chosen = static_cast<size_t>(it - all.begin());
    if (std::find(picked.begin(), picked.end(), chosen) != picked.end())
      throw InputError(path, fmt::format("channel '{}' is asked for twice ({})", it->label, w));
    out.push_back(*it);
    picked.push_back(chosen);
  }
  return out;
}

}  // namespace

bool have_biosig() {
#ifdef PIANOKPM_HAVE_BIOSIG
  return true;
#else
  return false;
#endif
}

SignalRecording read_signals(const std::string& path, const SignalReadOptions& options) {
  if (!std::filesystem::exists(path)) throw InputError(path, "no such file");
  const std::string ext = lowercase_extension(path);
  SignalRecording rec;
  bool carries_rate = true;
  if (ext == ".csv") {
    rec = read_csv_signals(path);
    carries_rate = !rec.channels.empty() && rec.channels[0].rate_hz > 0;
  } else if (ext == ".npy" || ext == ".pkl" || ext == ".pickle") {
    rec = read_array_signals(path);
    carries_rate = false;
  } else if (ext == ".c3d") {
    rec = read_c3d_signals(path);
  } else if (ext == ".edf" || ext == ".bdf" || ext == ".gdf" || ext == ".rec") {
#ifdef PIANOKPM_HAVE_BIOSIG
    rec = read_biosig(path);
#else
    throw InputError(path, "this build reads no EDF/BDF files (libbiosig-dev was not found when it was built)");
#endif
  } else {
    throw InputError(path, "unknown signal format '" + ext + "' (use .edf, .bdf, .gdf, .c3d, .csv, .npy or .pkl)");
  }
  if (carries_rate && options.rate_hz > 0) {
    throw InputError(path, "this file carries its own sampling rate; " + options.rate_option +
                               " is only for CSV without a time column, .npy and .pkl");
  }
  if (!carries_rate) {
    if (!(options.rate_hz > 0))
      throw InputError(path, "this file carries no sampling rate: give one with " + options.rate_option);
    for (auto& c : rec.channels) c.rate_hz = options.rate_hz;
  }
  if (rec.channels.empty()) throw InputError(path, "the file holds no signal channels");
  rec.channels = select_channels(std::move(rec.channels), options.channels, path);
  for (const auto& c : rec.channels) {
    if (c.samples.empty()) throw InputError(path, fmt::format("channel '{}' has no samples", c.label));
    const auto bad = std::find_if(c.samples.begin(), c.samples.end(), [](double v) { return !std::isfinite(v); });
    if (bad != c.samples.end()) {
      throw InputError(path, fmt::format("channel '{}' sample {} is not a finite number", c.label, bad - c.samples.begin()));
    }
  }
  return rec;
}

}  // namespace pianokpm
