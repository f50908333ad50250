#include "io/c3d_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/input_error.h"
#include "io/mapped_file.h"

namespace pianokpm {

namespace {

constexpr size_t kBlock = 512;
constexpr uint8_t kParameterKey = 0x50;
constexpr int kProcessorBase = 83;  // the parameter section's processor byte is 83 + 1, 2 or 3

// Reads numbers in the file's processor format; every read is bounds-checked.
class C3dBytes {
 public:
  C3dBytes(std::string_view bytes, const std::string& path) : bytes_(bytes), path_(path) {}
  C3dFile::Processor processor = C3dFile::Processor::intel;

  size_t size() const { return bytes_.size(); }
  void need(size_t at, size_t n, const char* what) const {
    if (at > bytes_.size() || n > bytes_.size() - at) {
      throw InputError(path_,
                       fmt::format("truncated C3D file: {} at byte {} runs past its end ({} bytes)", what, at, bytes_.size()));
    }
  }
  uint8_t u8(size_t at) const {
    need(at, 1, "a byte");
    return static_cast<uint8_t>(bytes_[at]);
  }
  int8_t i8(size_t at) const { return static_cast<int8_t>(u8(at)); }
  uint16_t u16(size_t at) const {
    need(at, 2, "a 16-bit word");
    const uint8_t a = static_cast<uint8_t>(bytes_[at]), b = static_cast<uint8_t>(bytes_[at + 1]);
    return processor == C3dFile::Processor::mips ? static_cast<uint16_t>(a << 8 | b) : static_cast<uint16_t>(b << 8 | a);
  }
  int16_t i16(size_t at) const { return static_cast<int16_t>(u16(at)); }
  float f32(size_t at) const {
    need(at, 4, "a float");
    uint8_t b[4];
    std::memcpy(b, bytes_.data() + at, 4);
    // Little-endian IEEE bytes: Intel as stored, MIPS reversed, DEC with its 16-bit words swapped.
    const bool mips = processor == C3dFile::Processor::mips, dec = processor == C3dFile::Processor::dec;
    const uint8_t le[4] = {mips  ? b[3]
                           : dec ? b[2]
                                 : b[0],
                           mips  ? b[2]
                           : dec ? b[3]
                                 : b[1],
                           mips  ? b[1]
                           : dec ? b[0]
                                 : b[2],
                           mips  ? b[0]
                           : dec ? b[1]
                                 : b[3]};
    const uint32_t bits = static_cast<uint32_t>(le[0]) | static_cast<uint32_t>(le[1]) << 8 | static_cast<uint32_t>(le[2]) << 16 |
                          static_cast<uint32_t>(le[3]) << 24;
    float v;
    std::memcpy(&v, &bits, 4);
    // VAX F-floating: same fields with the exponent biased by 128 and a 0.1f mantissa: a quarter of IEEE's reading.
    return processor == C3dFile::Processor::dec ? v / 4 : v;
  }
  std::string text(size_t at, size_t n) const {
    need(at, n, "text");
    return std::string(bytes_.substr(at, n));
  }
  const std::string& path() const { return path_; }

 private:
  std::string_view bytes_;
  const std::string& path_;
};

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Right-trimmed, and printable ASCII as C3D text is: other bytes (a damaged file, a local code
// page) become '?', so that labels print and convert to Python strings safely.
std::string trimmed(const std::string& s) {
  const size_t end = s.find_last_not_of(std::string(" \t\0", 3));
  std::string out = end == std::string::npos ? std::string() : s.substr(0, end + 1);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c < 32 || c > 126; }, '?');
  return out;
}

// One parameter's value: dims, then the elements (column-major, the first dimension fastest).
C3dParameter read_parameter_value(const C3dBytes& in, size_t at, size_t end) {
  C3dParameter p;
  p.type = in.i8(at);
  if (p.type != -1 && p.type != 1 && p.type != 2 && p.type != 4) {
    throw InputError(in.path(), fmt::format("C3D parameter at byte {} has data type {} (allowed: -1, 1, 2, 4)", at, p.type));
  }
  const int ndims = in.u8(at + 1);
  size_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    p.dims.push_back(in.u8(at + 2 + d));
    count *= static_cast<size_t>(p.dims.back());  // at most 255^7: only the check below may overflow
    if (count > in.size()) throw InputError(in.path(), fmt::format("C3D parameter at byte {} is larger than the file", at));
  }
  const size_t data = at + 2 + ndims, width = static_cast<size_t>(std::abs(p.type));
  if (data > end || count * width > end - data) {
    throw InputError(in.path(), fmt::format("C3D parameter at byte {} runs past its parameter section", at));
  }
  if (p.type == -1) {
    const size_t length = ndims == 0 ? 1 : static_cast<size_t>(p.dims[0]);
    const size_t columns = length == 0 ? 0 : count / length;
    for (size_t c = 0; c < columns; ++c) p.strings.push_back(trimmed(in.text(data + c * length, length)));
    return p;
  }
  p.numbers.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t x = data + i * width;
    p.numbers.push_back(p.type == 1 ? in.i8(x) : p.type == 2 ? in.i16(x) : static_cast<double>(in.f32(x)));
  }
  return p;
}

void read_parameters(C3dBytes& in, size_t start, C3dFile& file) {
  in.need(start, 4, "the parameter section");
  const int processor = in.u8(start + 3) - kProcessorBase;
  if (processor < 1 || processor > 3) {
    throw InputError(in.path(), fmt::format("C3D processor type {} is not 84 (Intel), 85 (DEC) or 86 (SGI/MIPS)",
                                            static_cast<int>(in.u8(start + 3))));
  }
  file.processor = static_cast<C3dFile::Processor>(processor - 1);
  in.processor = file.processor;
  const size_t end = std::min(in.size(), start + kBlock * std::max<size_t>(1, in.u8(start + 2)));

  std::map<int, std::string> group_names;
  std::vector<std::pair<int, std::pair<std::string, C3dParameter>>> loose;  // group id, (name, value)
  size_t at = start + 4;
  while (at + 2 <= end) {
    const int name_length = std::abs(in.i8(at));
    const int id = in.i8(at + 1);
    if (name_length == 0 || id == 0) break;
    const std::string name = upper(in.text(at + 2, static_cast<size_t>(name_length)));
    const size_t offset_at = at + 2 + static_cast<size_t>(name_length);
    const int offset = in.i16(offset_at);
    if (id < 0) {
      group_names[-id] = name;
    } else {
      loose.push_back({id, {name, read_parameter_value(in, offset_at + 2, end)}});
    }
    if (offset <= 0) break;  // the last record (0) or a pointer backwards: stop, never loop
    at = offset_at + static_cast<size_t>(offset);
  }
  for (auto& [id, named] : loose) {
    const auto group = group_names.find(id);
    if (group != group_names.end()) file.parameters[group->second][named.first] = std::move(named.second);
  }
}

const C3dParameter* find(const C3dFile& f, const std::string& group, const std::string& name) {
  const auto g = f.parameters.find(group);
  if (g == f.parameters.end()) return nullptr;
  const auto p = g->second.find(name);
  return p == g->second.end() ? nullptr : &p->second;
}

double number(const C3dFile& f, const std::string& group, const std::string& name, double fallback) {
  const C3dParameter* p = find(f, group, name);
  return p && !p->numbers.empty() ? p->numbers[0] : fallback;
}

// NAME, NAME2, NAME3, ...: files with over 255 points or channels continue their lists there.
// `values` picks the parameters' strings or numbers.
template <typename T>
std::vector<T> continued(const C3dFile& f, const std::string& group, const std::string& name,
                         std::vector<T> C3dParameter::*values) {
  std::vector<T> out;
  for (int k = 1;; ++k) {
    const C3dParameter* p = find(f, group, k == 1 ? name : name + std::to_string(k));
    if (!p) break;
    out.insert(out.end(), (p->*values).begin(), (p->*values).end());
  }
  return out;
}
std::vector<std::string> strings(const C3dFile& f, const std::string& group, const std::string& name) {
  return continued(f, group, name, &C3dParameter::strings);
}
std::vector<double> numbers(const C3dFile& f, const std::string& group, const std::string& name) {
  return continued(f, group, name, &C3dParameter::numbers);
}

// A count stored as int16 that may exceed 32767 (the standard allows reading it unsigned).
int count(double stored) { return stored < 0 ? static_cast<int>(stored) + 65536 : static_cast<int>(stored); }

void read_events(const C3dBytes& in, C3dFile& f) {
  const std::vector<double> times = numbers(f, "EVENT", "TIMES");
  if (!times.empty()) {
    const std::vector<std::string> labels = strings(f, "EVENT", "LABELS"), contexts = strings(f, "EVENT", "CONTEXTS");
    const size_t used = std::min<size_t>(static_cast<size_t>(count(number(f, "EVENT", "USED", 0))), times.size() / 2);
    for (size_t i = 0; i < used; ++i) {
      f.events.push_back(
          {i < labels.size() ? labels[i] : "", i < contexts.size() ? contexts[i] : "", 60 * times[2 * i] + times[2 * i + 1]});
    }
    return;
  }
  constexpr size_t kEventKey = 298, kEventCount = 300, kEventTimes = 304, kEventLabels = 396;
  constexpr int kMaxHeaderEvents = 18;
  if (in.u16(kEventKey) != 0x3039) return;
  const int n = std::min<int>(in.i16(kEventCount), kMaxHeaderEvents);
  for (int i = 0; i < n; ++i) {
    f.events.push_back(
        {trimmed(in.text(kEventLabels + 4 * static_cast<size_t>(i), 4)), "", in.f32(kEventTimes + 4 * static_cast<size_t>(i))});
  }
}

}  // namespace

C3dFile parse_c3d(std::string_view bytes, const std::string& path) {
  C3dBytes in(bytes, path);
  if (bytes.size() < kBlock)
    throw InputError(path, fmt::format("not a C3D file: {} bytes, shorter than its 512-byte header", bytes.size()));
  if (in.u8(1) != kParameterKey) throw InputError(path, "not a C3D file (its second byte is not 0x50)");
  const size_t parameter_block = in.u8(0);
  if (parameter_block < 2) throw InputError(path, "C3D header points its parameters at block 0 or 1");
  C3dFile f;
  read_parameters(in, (parameter_block - 1) * kBlock, f);

  const int points = in.u16(2), analog_per_frame = in.u16(4), first = in.u16(6);
  int64_t last = in.u16(8);
  const double header_scale = in.f32(12);
  const double scale = number(f, "POINT", "SCALE", header_scale);
  f.float_storage = scale < 0;
  // Over 65535 frames the header's last frame overflows; TRIAL:ACTUAL_END_FIELD holds it as two words.
  const std::vector<double> end_field = numbers(f, "TRIAL", "ACTUAL_END_FIELD");
  if (end_field.size() >= 2) last = std::max<int64_t>(last, count(end_field[0]) + 65536LL * count(end_field[1]));
  f.first_frame = first;
  if (last < first) throw InputError(path, fmt::format("C3D header's last frame {} comes before its first {}", last, first));
  const int64_t frames = last - first + 1;
  f.point_rate_hz = in.f32(20);
  if (!(f.point_rate_hz > 0)) f.point_rate_hz = number(f, "POINT", "RATE", 0);
  if (!(f.point_rate_hz > 0) || !std::isfinite(f.point_rate_hz)) throw InputError(path, "C3D file states no frame rate");

  const int channels = count(number(f, "ANALOG", "USED", 0));
  if (channels > 0 && analog_per_frame % channels != 0) {
    throw InputError(path, fmt::format("C3D header's {} analog samples per frame do not divide among ANALOG:USED = {} "
                                       "channels",
                                       analog_per_frame, channels));
  }
  const int per_channel = channels > 0 ? analog_per_frame / channels : 0;
  f.analog_rate_hz = f.point_rate_hz * per_channel;

  size_t data_block = in.u16(16);
  if (data_block == 0) data_block = static_cast<size_t>(count(number(f, "POINT", "DATA_START", 0)));
  if (data_block < 2) throw InputError(path, "C3D header gives no data block");
  const size_t start = (data_block - 1) * kBlock, width = f.float_storage ? 4 : 2;
  const size_t frame_bytes = (static_cast<size_t>(points) * 4 + static_cast<size_t>(analog_per_frame)) * width;
  if (frame_bytes == 0) throw InputError(path, "this C3D file holds neither points nor analog channels");
  if (start > bytes.size() || static_cast<size_t>(frames) > (bytes.size() - start) / frame_bytes) {
    const size_t held = start > bytes.size() ? 0 : (bytes.size() - start) / frame_bytes;
    throw InputError(path, fmt::format("truncated C3D file: it declares {} frames but holds {}", frames, held));
  }

  f.frames = static_cast<int>(frames);
  f.point_labels = strings(f, "POINT", "LABELS");
  f.point_labels.resize(static_cast<size_t>(points));
  for (int p = 0; p < points; ++p) {
    if (f.point_labels[p].empty()) f.point_labels[p] = fmt::format("point{}", p + 1);
  }
  const std::vector<std::string> point_units = strings(f, "POINT", "UNITS");
  f.point_units = point_units.empty() ? "" : point_units[0];

  f.analog_labels = strings(f, "ANALOG", "LABELS");
  f.analog_units = strings(f, "ANALOG", "UNITS");
  f.analog_labels.resize(static_cast<size_t>(channels));
  f.analog_units.resize(static_cast<size_t>(channels));
  for (int c = 0; c < channels; ++c) {
    if (f.analog_labels[c].empty()) f.analog_labels[c] = fmt::format("analog{}", c + 1);
  }
  std::vector<double> analog_scale = numbers(f, "ANALOG", "SCALE"), analog_offset = numbers(f, "ANALOG", "OFFSET");
  analog_scale.resize(static_cast<size_t>(channels), 1.0);
  analog_offset.resize(static_cast<size_t>(channels), 0.0);
  const double gen_scale = number(f, "ANALOG", "GEN_SCALE", 1.0);
  const std::vector<std::string> format = strings(f, "ANALOG", "FORMAT");
  const bool unsigned_analog = !format.empty() && upper(format[0]) == "UNSIGNED";

  const double point_scale = std::abs(scale);
  f.points.assign(static_cast<size_t>(frames), std::vector<std::array<double, 3>>(static_cast<size_t>(points)));
  f.valid.assign(static_cast<size_t>(frames), std::vector<bool>(static_cast<size_t>(points)));
  f.analog.assign(static_cast<size_t>(channels), std::vector<double>(static_cast<size_t>(frames * per_channel)));
  for (int64_t t = 0; t < frames; ++t) {
    size_t at = start + static_cast<size_t>(t) * frame_bytes;
    for (int p = 0; p < points; ++p, at += 4 * width) {
      std::array<double, 3>& xyz = f.points[t][p];
      // The fourth word: camera mask and residual; negative means the marker was not reconstructed.
      const double fourth = f.float_storage ? in.f32(at + 12) : in.i16(at + 6);
      bool seen = std::isfinite(fourth) && static_cast<int16_t>(std::clamp(fourth, -32768.0, 32767.0)) >= 0;
      for (int k = 0; k < 3; ++k) {
        xyz[k] = f.float_storage ? in.f32(at + k * width) : in.i16(at + k * width) * point_scale;
        seen = seen && std::isfinite(xyz[k]);
      }
      if (!seen) xyz = {0.0, 0.0, 0.0};
      f.valid[t][p] = seen;
    }
    for (int s = 0; s < per_channel; ++s) {
      for (int c = 0; c < channels; ++c, at += width) {
        const double raw = f.float_storage ? in.f32(at) : unsigned_analog ? in.u16(at) : in.i16(at);
        f.analog[c][static_cast<size_t>(t * per_channel + s)] = (raw - analog_offset[c]) * analog_scale[c] * gen_scale;
      }
    }
  }
  read_events(in, f);
  return f;
}

C3dFile read_c3d(const std::string& path) {
  const MappedFile file(path);
  return parse_c3d(file.bytes(), path);
}

}  // namespace pianokpm
