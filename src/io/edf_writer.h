#pragma once
// EDF+ and BDF+ files (continuous, "EDF+C"/"BDF+C"): signals at one rate, quantised to 16 bits
// (EDF) or 24 bits (BDF) between each signal's own physical minimum and maximum, in 1-s data
// records, with an annotation signal carrying the record times and any annotations. This is what
// BIDS-EMG stores and what EDFbrowser, MNE and libbiosig read. Written atomically.
#include <string>
#include <vector>

namespace pianokpm {

// Header field widths a signal's texts must fit.
inline constexpr size_t kEdfLabelLength = 16, kEdfDimensionLength = 8;

struct EdfSignal {
  std::string label;               // at most kEdfLabelLength characters (longer is an error)
  std::string physical_dimension;  // unit, e.g. "uV"; "" for dimensionless; at most kEdfDimensionLength
  std::string transducer;          // e.g. "estimated (not measured)"
  std::string prefiltering;        // e.g. "HP:20Hz LP:450Hz"
  std::vector<double> samples;     // all signals have the same count
};

struct EdfAnnotation {
  double onset_s = 0, duration_s = 0;  // from the start of the file
  std::string text;
};

struct EdfWriteOptions {
  bool bdf = false;    // 24-bit BDF+ instead of 16-bit EDF+
  double rate_hz = 0;  // samples per second of every signal; rate * record_seconds must be whole
  double record_seconds = 1;
  std::string patient = "X X X X";  // EDF+ patient field: code, sex, birthdate, name (X = unknown)
  std::string recording = "X X X";  // after "Startdate <date> ": admin code, technician, equipment
  void check() const;
};

// The last data record is padded with each signal's last value. Throws std::invalid_argument for
// labels or texts that do not fit, ragged or empty signals, or non-finite samples.
void write_edf(const std::string& path, const std::vector<EdfSignal>& signals, const std::vector<EdfAnnotation>& annotations,
               const EdfWriteOptions& options);

// The 8-character header number nearest to `value` on the side given: the physical minimum must
// not be above the data's minimum (round_up false), nor the maximum below its maximum.
std::string edf_header_number(double value, bool round_up);

}  // namespace pianokpm
