#include "io/edf_header.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "io/file_names.h"
#include "core/input_error.h"

namespace pianokpm {

namespace {

constexpr int64_t kFixedHeaderBytes = 256;
constexpr int64_t kBytesPerSignalHeader = 256;
constexpr int kMaxSignals = 4096;

std::string field(const std::string& head, int64_t offset, int64_t width) {
  std::string f = head.substr(static_cast<size_t>(offset), static_cast<size_t>(width));
  const auto last = f.find_last_not_of(' ');
  return last == std::string::npos ? "" : f.substr(0, last + 1);
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw InputError(path, "malformed EDF/BDF header: " + what);
}

int64_t integer_field(const std::string& head, int64_t offset, int64_t width, const std::string& path, const std::string& name) {
  const std::string f = field(head, offset, width);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(f.c_str(), &end, 10);
  if (f.empty() || *end != '\0' || errno) bad(path, fmt::format("{} '{}' is not an integer", name, f));
  return v;
}

double number_field(const std::string& head, int64_t offset, int64_t width, const std::string& path, const std::string& name) {
  const std::string f = field(head, offset, width);
  char* end = nullptr;
  const double v = std::strtod(f.c_str(), &end);
  if (f.empty() || *end != '\0' || !std::isfinite(v)) bad(path, fmt::format("{} '{}' is not a number", name, f));
  return v;
}

}  // namespace

bool looks_like_edf(const std::string& b) {
  return b.compare(0, 8, "0       ") == 0 || b.compare(0, 8, std::string("\xff") + "BIOSEMI") == 0;
}

EdfHeaderSummary check_edf_header(const std::string& head, int64_t file_size, const std::string& path) {
  if (file_size < kFixedHeaderBytes || static_cast<int64_t>(head.size()) < kFixedHeaderBytes) {
    bad(path, fmt::format("the file has {} bytes, fewer than the 256 of the fixed header", file_size));
  }
  if (!looks_like_edf(head)) bad(path, "version field is neither EDF '0' nor BDF '\\xffBIOSEMI'");
  // libbiosig sniffs the whole header for other formats' magic text before it tries EDF; this one
  // sends it after a companion file it then reads through a null FILE* (found by fuzzing).
  for (const char* magic : {"ALPHA-TRACE-MEDICAL"}) {
    if (head.find(magic) != std::string::npos) bad(path, fmt::format("header text contains '{}'", magic));
  }
  EdfHeaderSummary s;
  s.bdf = head[0] == '\xff';
  auto check_ascii = [&](int64_t from, int64_t to) {  // the specification allows printable US-ASCII only
    for (int64_t i = from; i < to; ++i) {
      const auto c = static_cast<unsigned char>(head[static_cast<size_t>(i)]);
      if (c < 32 || c > 126) bad(path, fmt::format("byte {} (0x{:02X}) is not printable ASCII", i, c));
    }
  };
  check_ascii(1, kFixedHeaderBytes);
  auto check_clock = [&](int64_t offset, const char* name) {  // dd.mm.yy or hh.mm.ss
    const std::string f = head.substr(static_cast<size_t>(offset), 8);
    for (int i = 0; i < 8; ++i) {
      const bool ok = (i == 2 || i == 5) ? f[i] == '.' : (f[i] >= '0' && f[i] <= '9');
      if (!ok) bad(path, fmt::format("{} '{}' is not in the form {}", name, f, offset == 168 ? "dd.mm.yy" : "hh.mm.ss"));
    }
  };
  check_clock(168, "start date");
  check_clock(176, "start time");
  s.header_bytes = integer_field(head, 184, 8, path, "header size");
  s.records = integer_field(head, 236, 8, path, "number of data records");
  s.record_seconds = number_field(head, 244, 8, path, "data record duration");
  s.signals = static_cast<int>(integer_field(head, 252, 4, path, "number of signals"));
  if (s.signals < 1 || s.signals > kMaxSignals) bad(path, fmt::format("{} signals", s.signals));
  if (s.header_bytes != kFixedHeaderBytes + kBytesPerSignalHeader * s.signals) {
    bad(path, fmt::format("header size {} does not match {} signals", s.header_bytes, s.signals));
  }
  if (s.records < -1 || s.records == 0) bad(path, fmt::format("{} data records", s.records));
  if (!(s.record_seconds > 0)) bad(path, "data record duration must be positive");
  if (file_size < s.header_bytes || static_cast<int64_t>(head.size()) < s.header_bytes) {
    bad(path, fmt::format("the file ends inside its header ({} of {} bytes)", file_size, s.header_bytes));
  }
  check_ascii(kFixedHeaderBytes, s.header_bytes);
  const int64_t ns = s.signals, base = kFixedHeaderBytes;
  // per-signal fields, each an array of ns entries: label 16, transducer 80, unit 8, phys min 8,
  // phys max 8, dig min 8, dig max 8, prefiltering 80, samples per record 8, reserved 32
  const int64_t phys_min = base + ns * (16 + 80 + 8), phys_max = phys_min + ns * 8;
  const int64_t dig_min = phys_max + ns * 8, dig_max = dig_min + ns * 8;
  const int64_t samples = dig_max + ns * 8 + ns * 80;
  const int bytes_per_sample = s.bdf ? 3 : 2;
  for (int64_t i = 0; i < ns; ++i) {
    const std::string which = fmt::format("signal {} ", i + 1);
    const double pmin = number_field(head, phys_min + 8 * i, 8, path, which + "physical minimum");
    const double pmax = number_field(head, phys_max + 8 * i, 8, path, which + "physical maximum");
    const int64_t dmin = integer_field(head, dig_min + 8 * i, 8, path, which + "digital minimum");
    const int64_t dmax = integer_field(head, dig_max + 8 * i, 8, path, which + "digital maximum");
    const int64_t spr = integer_field(head, samples + 8 * i, 8, path, which + "samples per record");
    if (pmin == pmax) bad(path, which + "has equal physical minimum and maximum");
    if (dmin >= dmax) bad(path, which + "has digital minimum >= maximum");
    if (spr < 1 || spr > (int64_t{1} << 24)) bad(path, which + fmt::format("has {} samples per record", spr));
    s.record_bytes += spr * bytes_per_sample;
  }
  if (s.records > 0 && file_size < s.header_bytes + s.records * s.record_bytes) {
    throw InputError(path, fmt::format("truncated: the header promises {} data records of {} bytes but the file holds "
                                       "{} bytes of data",
                                       s.records, s.record_bytes, file_size - s.header_bytes));
  }
  return s;
}

void check_edf_file(const std::string& path) {
  const auto size = static_cast<int64_t>(std::filesystem::file_size(path));
  std::string head(static_cast<size_t>(std::min(size, kFixedHeaderBytes + kBytesPerSignalHeader * kMaxSignals)), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  const std::string ext = lowercase_extension(path);
  if (ext == ".edf" || ext == ".bdf" || looks_like_edf(head)) check_edf_header(head, size, path);
}

}  // namespace pianokpm
