#include "io/biosig_reader.h"

#include <biosig.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "io/edf_header.h"
#include "core/input_error.h"

namespace pianokpm {

namespace {

struct HeaderCloser {
  void operator()(HDRTYPE* h) const {
    sclose(h);
    destructHDR(h);
  }
};

std::string biosig_error(HDRTYPE* h) {
  char* msg = h ? biosig_get_errormsg(h) : nullptr;
  std::string text = msg ? msg : "libbiosig could not read it";
  std::free(msg);
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

SignalRecording read_biosig(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InputError(path, "no such file");
  check_edf_file(path);  // libbiosig trusts EDF/BDF header fields, and a bad one can crash it
  std::unique_ptr<HDRTYPE, HeaderCloser> hdr(sopen(path.c_str(), "r", nullptr));
  HDRTYPE* h = hdr.get();
  if (!h || serror2(h)) throw InputError(path, "not a readable biosignal file: " + biosig_error(h));
  const long num_channels = biosig_get_number_of_channels(h);
  const size_t records = biosig_get_number_of_records(h);
  if (num_channels <= 0 || records == 0) throw InputError(path, "the file holds no signal data");
  const size_t got = sread(nullptr, 0, records, h);
  if (serror2(h)) throw InputError(path, "reading the data failed: " + biosig_error(h));
  if (got != records) throw InputError(path, fmt::format("truncated: {} of {} data records present", got, records));
  biosig_data_type* data = nullptr;
  size_t rows = 0, cols = 0;
  if (biosig_get_datablock(h, &data, &rows, &cols) != 0 || !data || cols != static_cast<size_t>(num_channels)) {
    throw InputError(path, "libbiosig returned no data block");
  }
  // libbiosig holds every channel at the file's highest rate (channel-major); keep each at its own.
  const double file_rate = biosig_get_samplerate(h);
  SignalRecording rec;
  rec.source = path;
  for (long c = 0; c < num_channels; ++c) {
    CHANNEL_TYPE* ch = biosig_get_channel(h, static_cast<int>(c));
    SignalChannel out;
    out.label = biosig_channel_get_label(ch) ? biosig_channel_get_label(ch) : fmt::format("ch{}", c);
    out.unit = biosig_channel_get_physdim(ch) ? biosig_channel_get_physdim(ch) : "";
    out.rate_hz = biosig_get_channel_samplerate(h, static_cast<int>(c));
    if (!(out.rate_hz > 0) || !(file_rate >= out.rate_hz)) {
      throw InputError(path, fmt::format("channel '{}' has no valid sampling rate", out.label));
    }
    const auto step = static_cast<size_t>(std::llround(file_rate / out.rate_hz));
    const biosig_data_type* column = data + static_cast<size_t>(c) * rows;
    out.samples.reserve(rows / step + 1);
    for (size_t i = 0; i < rows; i += step) out.samples.push_back(column[i]);
    rec.channels.push_back(std::move(out));
  }
  return rec;
}

}  // namespace pianokpm
