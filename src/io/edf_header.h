#pragma once
// A strict check of EDF/EDF+/BDF headers before libbiosig sees the file: libbiosig 3.0 divides by
// fields it does not validate (found by fuzzing: a non-numeric record count crashes it with SIGFPE).
#include <cstdint>
#include <string>

namespace pianokpm {

struct EdfHeaderSummary {
  bool bdf = false;  // 24-bit BioSemi variant
  int signals = 0;
  int64_t records = 0;  // -1 while recording (EDF+ allows it); then the size decides
  double record_seconds = 0;
  int64_t header_bytes = 0;
  int64_t record_bytes = 0;  // bytes of one data record, all signals
};

// Whether the bytes start like an EDF ("0       ") or BDF ("\xffBIOSEMI") file.
bool looks_like_edf(const std::string& first_bytes);

// Throws InputError naming `path` for any field that is not what the specification allows, or a
// file shorter than its header and records. `head` holds at least the file's first bytes up to
// its header size (or all of a shorter file); `file_size` is the whole file's.
EdfHeaderSummary check_edf_header(const std::string& head, int64_t file_size, const std::string& path);

// Reads the header of `path` once and checks it when the file is named .edf/.bdf or starts like
// an EDF/BDF file; other files (GDF, ...) are left to libbiosig.
void check_edf_file(const std::string& path);

}  // namespace pianokpm
