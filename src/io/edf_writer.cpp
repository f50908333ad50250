#include "io/edf_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "io/atomic_file.h"

namespace pianokpm {

namespace {

constexpr int kFieldNumber = 8;
// EDF+ wants a start date; ours are estimates of unknown date: the date EDF+ reserves for that.
constexpr const char* kUnknownStartDate = "01.01.85";
constexpr const char* kUnknownStartTime = "00.00.00";

struct DigitalRange {
  int64_t min, max;
  int bytes;
};
DigitalRange digital_range(bool bdf) { return bdf ? DigitalRange{-8388608, 8388607, 3} : DigitalRange{-32768, 32767, 2}; }

// Left-justified, space-padded; too long is a caller's error.
void field(std::string& out, const std::string& text, size_t width, const char* what) {
  if (text.size() > width)
    throw std::invalid_argument(fmt::format("EDF {} '{}' is longer than {} characters", what, text, width));
  for (const char c : text) {
    if (c < 32 || c > 126)
      throw std::invalid_argument(fmt::format("EDF {} '{}' has a character outside printable ASCII", what, text));
  }
  out += text;
  out.append(width - text.size(), ' ');
}

void put_sample(std::string& out, int64_t value, int bytes) {
  for (int b = 0; b < bytes; ++b) out.push_back(static_cast<char>((static_cast<uint64_t>(value) >> (8 * b)) & 0xff));
}

// "+onset\x15duration\x14text\x14\0": one annotation as EDF+ writes it (time-keeping ones have no text).
std::string tal(double onset_s, double duration_s, const std::string& text) {
  std::string s = fmt::format("{:+.6f}", onset_s);
  if (duration_s > 0) s += fmt::format("\x15{:.6f}", duration_s);
  s += '\x14';
  s += text;
  s += '\x14';
  s += '\0';
  return s;
}

}  // namespace

void EdfWriteOptions::check() const {
  if (!(rate_hz > 0) || !(record_seconds > 0)) throw std::invalid_argument("EDF rate and record duration must be positive");
  const double per_record = rate_hz * record_seconds;
  if (std::abs(per_record - std::round(per_record)) > 1e-9) {
    throw std::invalid_argument(
        fmt::format("EDF record of {:g} s at {:g} Hz is not a whole number of samples", record_seconds, rate_hz));
  }
}

std::string edf_header_number(double value, bool round_up) {
  if (!std::isfinite(value)) throw std::invalid_argument("EDF header number is not finite");
  for (int decimals = 6; decimals >= 0; --decimals) {
    const double scale = std::pow(10.0, decimals);
    const double bounded = (round_up ? std::ceil(value * scale - 1e-9) : std::floor(value * scale + 1e-9)) / scale;
    std::string s = fmt::format("{:.{}f}", bounded, decimals);
    if (s.find('.') != std::string::npos) {
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    if (static_cast<int>(s.size()) <= kFieldNumber) return s;
  }
  throw std::invalid_argument(fmt::format("EDF header number {:g} does not fit in 8 characters", value));
}

void write_edf(const std::string& path, const std::vector<EdfSignal>& signals, const std::vector<EdfAnnotation>& annotations,
               const EdfWriteOptions& options) {
  options.check();
  if (signals.empty() || signals[0].samples.empty())
    throw std::invalid_argument("EDF file needs at least one signal with samples");
  const size_t n = signals[0].samples.size();
  for (const auto& s : signals) {
    if (s.samples.size() != n)
      throw std::invalid_argument(fmt::format("EDF signal '{}' has {} samples, not {}", s.label, s.samples.size(), n));
    if (!std::all_of(s.samples.begin(), s.samples.end(), [](double v) { return std::isfinite(v); })) {
      throw std::invalid_argument(fmt::format("EDF signal '{}' has a sample that is not finite", s.label));
    }
  }
  const DigitalRange digital = digital_range(options.bdf);
  const auto per_record = static_cast<size_t>(std::llround(options.rate_hz * options.record_seconds));
  const size_t records = (n + per_record - 1) / per_record;

  // Each record's annotation text: its time-keeping entry, then the annotations that start in it.
  std::vector<std::string> record_text(records);
  for (size_t r = 0; r < records; ++r) record_text[r] = tal(static_cast<double>(r) * options.record_seconds, 0, "");
  for (const auto& a : annotations) {
    const auto r = static_cast<size_t>(std::clamp(a.onset_s / options.record_seconds, 0.0, static_cast<double>(records - 1)));
    record_text[r] += tal(a.onset_s, a.duration_s, a.text);
  }
  size_t annotation_bytes = 0;
  for (const auto& t : record_text) annotation_bytes = std::max(annotation_bytes, t.size());
  const size_t annotation_samples = (annotation_bytes + digital.bytes - 1) / digital.bytes;

  const size_t ns = signals.size() + 1;
  std::string h;
  h.reserve(256 * (ns + 1));
  if (options.bdf) {
    h += '\xff';
    field(h, "BIOSEMI", 7, "version");
  } else {
    field(h, "0", 8, "version");
  }
  field(h, options.patient, 80, "patient");
  field(h, "Startdate X " + options.recording, 80, "recording");
  field(h, kUnknownStartDate, 8, "start date");
  field(h, kUnknownStartTime, 8, "start time");
  field(h, std::to_string(256 * (ns + 1)), 8, "header size");
  field(h, options.bdf ? "BDF+C" : "EDF+C", 44, "reserved");
  field(h, std::to_string(records), 8, "record count");
  field(h, edf_header_number(options.record_seconds, true), 8, "record duration");
  field(h, std::to_string(ns), 4, "signal count");

  std::vector<double> pmin(signals.size()), pmax(signals.size());
  for (size_t s = 0; s < signals.size(); ++s) {
    const auto [lo, hi] = std::minmax_element(signals[s].samples.begin(), signals[s].samples.end());
    // A constant signal still needs a range; the written (rounded) bounds are the ones readers use.
    const double low = *lo, high = *hi > *lo ? *hi : *lo + 1;
    pmin[s] = std::stod(edf_header_number(low, false));
    pmax[s] = std::stod(edf_header_number(high, true));
  }
  const std::string annotation_label = options.bdf ? "BDF Annotations" : "EDF Annotations";
  auto each = [&](auto&& text_of, size_t width, const char* what) {
    for (size_t s = 0; s < signals.size(); ++s) field(h, text_of(s), width, what);
  };
  each([&](size_t s) { return signals[s].label; }, kEdfLabelLength, "label");
  field(h, annotation_label, kEdfLabelLength, "label");
  each([&](size_t s) { return signals[s].transducer; }, 80, "transducer");
  field(h, "", 80, "transducer");
  each([&](size_t s) { return signals[s].physical_dimension; }, kEdfDimensionLength, "physical dimension");
  field(h, "", kEdfDimensionLength, "physical dimension");
  each([&](size_t s) { return edf_header_number(pmin[s], false); }, 8, "physical minimum");
  field(h, "-1", 8, "physical minimum");
  each([&](size_t s) { return edf_header_number(pmax[s], true); }, 8, "physical maximum");
  field(h, "1", 8, "physical maximum");
  for (size_t s = 0; s < ns; ++s) field(h, std::to_string(digital.min), 8, "digital minimum");
  for (size_t s = 0; s < ns; ++s) field(h, std::to_string(digital.max), 8, "digital maximum");
  each([&](size_t s) { return signals[s].prefiltering; }, 80, "prefiltering");
  field(h, "", 80, "prefiltering");
  each([&](size_t) { return std::to_string(per_record); }, 8, "samples per record");
  field(h, std::to_string(annotation_samples), 8, "samples per record");
  for (size_t s = 0; s < ns; ++s) field(h, "", 32, "reserved");

  std::string out = std::move(h);
  out.reserve(out.size() + records * (signals.size() * per_record + annotation_samples) * digital.bytes);
  const double steps = static_cast<double>(digital.max - digital.min);
  for (size_t r = 0; r < records; ++r) {
    for (size_t s = 0; s < signals.size(); ++s) {
      const double gain = steps / (pmax[s] - pmin[s]);
      for (size_t i = r * per_record; i < (r + 1) * per_record; ++i) {
        const double v = signals[s].samples[std::min(i, n - 1)];
        const auto d = static_cast<int64_t>(std::llround((v - pmin[s]) * gain + static_cast<double>(digital.min)));
        put_sample(out, std::clamp(d, digital.min, digital.max), digital.bytes);
      }
    }
    std::string text = record_text[r];
    text.resize(annotation_samples * digital.bytes, '\0');
    out += text;
  }
  write_file_atomically(path, out);
}

}  // namespace pianokpm
