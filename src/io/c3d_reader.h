#pragma once
// C3D, the motion-capture labs' file (Vicon, Qualisys, Motion Analysis): 3D marker trajectories
// and analog channels (EMG, force plates) of one trial, with the parameters that describe them.
// Reads integer and float storage in the three processor formats (Intel, DEC/VAX, SGI/MIPS),
// applies POINT:SCALE and ANALOG:SCALE/OFFSET/GEN_SCALE, and the events of the EVENT group.
// Every length and count is checked against the file before it is used: a hostile or truncated
// file is refused with one InputError naming it.
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pianokpm {

// One parameter of a group, as stored: numbers widened to double, characters as strings.
struct C3dParameter {
  int type = 0;                      // -1 char, 1 byte, 2 int16, 4 float32
  std::vector<int> dims;             // as stored (the first dimension varies fastest)
  std::vector<double> numbers;       // type 1, 2, 4: every element
  std::vector<std::string> strings;  // type -1: one per column of dims[0] characters, right-trimmed, non-ASCII as ?
};

struct C3dEvent {
  std::string label, context;  // e.g. "Foot Strike", "Left"
  double time_s = 0;
};

struct C3dFile {
  enum class Processor { intel, dec, mips };
  Processor processor = Processor::intel;
  bool float_storage = false;  // POINT:SCALE < 0

  int first_frame = 1;  // 1-based, as the header says
  int frames = 0;
  double point_rate_hz = 0;
  std::vector<std::string> point_labels;  // POINT:LABELS (+LABELS2 ...), one per point
  std::string point_units;                // POINT:UNITS, e.g. "mm"
  // [frames][points] (x, y, z) in point_units; `valid` false where the residual says the marker
  // was not seen, or a coordinate is not finite (its coordinates are then 0).
  std::vector<std::vector<std::array<double, 3>>> points;
  std::vector<std::vector<bool>> valid;

  double analog_rate_hz = 0;
  std::vector<std::string> analog_labels, analog_units;
  std::vector<std::vector<double>> analog;  // [channel][sample], scaled to analog_units

  std::vector<C3dEvent> events;                                           // EVENT group (or the header's events when it has none)
  std::map<std::string, std::map<std::string, C3dParameter>> parameters;  // [GROUP][NAME], upper case
};

// `bytes` is the whole file; `path` is only for messages.
C3dFile parse_c3d(std::string_view bytes, const std::string& path);
C3dFile read_c3d(const std::string& path);

}  // namespace pianokpm
