// C3D reader against files other software wrote and the values other readers report for them:
// the C3D.org sample01 trial in three processor formats (BTK's C3DFileReaderTest asserts the
// values used here), BTK's own test files (a DEC float file, an EMG-only file, a damaged
// parameter section) and a truncated Optotrak file from ezc3d's tests. tests/fixtures/c3d/README.md
// says where each came from.
#include <cstring>
#include <fstream>

#include "core/input_error.h"
#include "io/c3d_reader.h"
#include "io/signal_recording.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::fixture;

std::string c3d(const std::string& name) { return fixture("c3d/" + name); }

std::string error_of(const std::string& bytes) {
  try {
    parse_c3d(bytes, "bad.c3d");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// BTK's assertions for every format of sample01 (tolerances as BTK's: 1e-4 points, 1e-3 analog).
void expect_sample01(const C3dFile& f) {
  EXPECT_EQ(f.frames, 450);
  EXPECT_EQ(f.first_frame, 1);
  EXPECT_DOUBLE_EQ(f.point_rate_hz, 50);
  EXPECT_DOUBLE_EQ(f.analog_rate_hz, 200);
  ASSERT_EQ(f.point_labels.size(), 26u);  // POINT:LABELS holds 48 names; POINT:USED is 26
  ASSERT_EQ(f.analog_labels.size(), 16u);
  EXPECT_EQ(f.point_labels[0], "RFT1");
  EXPECT_EQ(f.analog_labels[15], "CH16");
  EXPECT_NEAR(f.points[8][0][0], 250.4166, 1e-4);
  EXPECT_NEAR(f.points[16][17][0], 285, 1e-4);
  EXPECT_NEAR(f.points[16][17][1], 222.4166, 1e-4);
  EXPECT_NEAR(f.points[16][17][2], 564.4166, 1e-4);
  ASSERT_EQ(f.analog[0].size(), 1800u);
  EXPECT_NEAR(f.analog[0][0], -26.6599, 1e-3);  // (2110 - 2048) * -0.86 * 0.5
  EXPECT_NEAR(f.analog[0][1], -25.8, 1e-3);
  ASSERT_EQ(f.events.size(), 3u);  // from the header's event block
  EXPECT_EQ(f.events[0].label, "RIC");
  EXPECT_NEAR(f.events[0].time_s, 2.72, 1e-5);
  EXPECT_EQ(f.events[1].label, "RHS");
  EXPECT_NEAR(f.events[1].time_s, 5.40, 1e-5);
  EXPECT_EQ(f.events[2].label, "RTO");
  EXPECT_NEAR(f.events[2].time_s, 7.32, 1e-5);
}

TEST(C3dReader, ReadsSample01InIntelMipsAndDecIntegerFormats) {
  const C3dFile intel = read_c3d(c3d("Eb015pi.c3d"));
  EXPECT_EQ(intel.processor, C3dFile::Processor::intel);
  EXPECT_FALSE(intel.float_storage);
  expect_sample01(intel);
  EXPECT_EQ(intel.point_units, "mm");
  for (const char* other : {"Eb015si.c3d", "Eb015vi.c3d"}) {
    SCOPED_TRACE(other);
    const C3dFile f = read_c3d(c3d(other));
    expect_sample01(f);
    // The same integers in another byte order: identical values.
    EXPECT_EQ(f.points, intel.points);
    EXPECT_EQ(f.valid, intel.valid);
    EXPECT_EQ(f.analog, intel.analog);
  }
  EXPECT_EQ(read_c3d(c3d("Eb015si.c3d")).processor, C3dFile::Processor::mips);
  EXPECT_EQ(read_c3d(c3d("Eb015vi.c3d")).processor, C3dFile::Processor::dec);
}

TEST(C3dReader, FloatStorageMatchesTheIntegerFile) {
  const C3dFile real = read_c3d(c3d("Eb015sr.c3d"));  // SGI/MIPS big-endian IEEE floats
  EXPECT_TRUE(real.float_storage);
  expect_sample01(real);
  const C3dFile integer = read_c3d(c3d("Eb015pi.c3d"));
  size_t invalid = 0;
  for (int t = 0; t < real.frames; ++t) {
    for (size_t p = 0; p < real.point_labels.size(); ++p) {
      ASSERT_EQ(real.valid[t][p], integer.valid[t][p]);
      invalid += !real.valid[t][p];
      for (int k = 0; k < 3; ++k) ASSERT_NEAR(real.points[t][p][k], integer.points[t][p][k], 1.1e-4);
    }
  }
  EXPECT_EQ(invalid, 226u);  // residual -1, counted by an independent Python decoding of the file
  for (size_t c = 0; c < real.analog.size(); ++c) EXPECT_EQ(real.analog[c], integer.analog[c]);
}

TEST(C3dReader, DecFloatParametersAsBtkReportsThem) {
  const C3dFile f = read_c3d(c3d("Analysis.c3d"));  // VAX F-floating
  EXPECT_EQ(f.processor, C3dFile::Processor::dec);
  EXPECT_TRUE(f.float_storage);
  EXPECT_EQ(f.point_labels.size(), 24u);
  EXPECT_DOUBLE_EQ(f.point_rate_hz, 100);
  const std::vector<double>& values = f.parameters.at("ANALYSIS").at("VALUES").numbers;
  ASSERT_EQ(values.size(), 34u);
  EXPECT_NEAR(values.front(), 0.681109, 1e-6);
  EXPECT_NEAR(values[1], 38.4735, 1e-4);
  EXPECT_NEAR(values.back(), 8.37584, 1e-5);
}

TEST(C3dReader, FollowsParameterOffsetsPastWrongSizes) {
  // BTK's badParameterOffset: declared sizes disagree with the records' offsets.
  const C3dFile f = read_c3d(c3d("badParameterOffset.c3d"));
  EXPECT_EQ(f.point_labels.size(), 41u);
  EXPECT_EQ(f.point_labels[0], "Point    1");
  EXPECT_EQ(f.frames, 111);
  EXPECT_DOUBLE_EQ(f.point_rate_hz, 250);
  EXPECT_TRUE(f.analog.empty());
  EXPECT_NEAR(f.points[0][0][0], 168.093002, 1e-5);
  EXPECT_NEAR(f.points[10][29][1], 731.903015, 1e-5);
  EXPECT_EQ(f.points[110][40][2], 0.0);
}

TEST(C3dReader, AnalogEmgChannelsAsSignals) {
  // An EMG-only trial (BTS, 8 leg muscles at 1000 Hz); `pianokpm emg` picks channels by label.
  SignalReadOptions o;
  o.channels = {"Right Tibialis Anterior", "8"};
  const SignalRecording rec = read_signals(c3d("1123x01EMG.c3d"), o);
  ASSERT_EQ(rec.channels.size(), 2u);
  EXPECT_EQ(rec.channels[0].label, "Right Tibialis Anterior");
  EXPECT_EQ(rec.channels[1].label, "Left Gastrocnemius Lateralis");
  for (const auto& c : rec.channels) {
    EXPECT_DOUBLE_EQ(c.rate_hz, 1000);
    EXPECT_EQ(c.samples.size(), 4564u);
  }
  o.channels = {"3", "Right Tibialis Anterior"};  // the same channel by number and by label
  try {
    read_signals(c3d("1123x01EMG.c3d"), o);
    ADD_FAILURE() << "a channel asked for twice was read twice";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'Right Tibialis Anterior' is asked for twice"), std::string::npos) << e.what();
  }
  const C3dFile f = read_c3d(c3d("1123x01EMG.c3d"));
  EXPECT_TRUE(f.point_labels.empty());
  EXPECT_EQ(f.analog[2], rec.channels[0].samples);
  double energy = 0;
  for (double v : rec.channels[0].samples) energy += v * v;
  EXPECT_GT(energy, 0);  // a real signal, not zeros
}

TEST(C3dReader, RefusesTruncatedAndHostileFiles) {
  // ezc3d's Optotrak.c3d: its header declares 1149 frames but the file holds 29.
  try {
    read_c3d(c3d("Optotrak_truncated.c3d"));
    FAIL() << "a truncated file was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("declares 1149 frames but holds 29"), std::string::npos) << e.what();
  }
  const std::string good = file_bytes(c3d("Eb015pi.c3d"));
  EXPECT_NE(error_of(good.substr(0, 100)).find("shorter than its 512-byte header"), std::string::npos);
  std::string bad_key = good;
  bad_key[1] = 0x51;
  EXPECT_NE(error_of(bad_key).find("not a C3D file"), std::string::npos);
  std::string bad_processor = good;
  bad_processor[512 + 3] = 99;
  EXPECT_NE(error_of(bad_processor).find("processor type 99"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, good.size() - 1000)).find("truncated C3D file"), std::string::npos);
  std::string far_parameters = good.substr(0, 100000);
  far_parameters[0] = static_cast<char>(250);  // parameters "at" block 250, past the end
  EXPECT_NE(error_of(far_parameters).find("truncated C3D file"), std::string::npos);
  std::string bad_type = good;
  // Follow the records to the first parameter (positive group id) and corrupt its data type byte.
  size_t at = 512 + 4;
  auto name_length = [&](size_t r) { return static_cast<size_t>(std::abs(static_cast<signed char>(bad_type[r]))); };
  while (static_cast<signed char>(bad_type[at + 1]) < 0) {
    const size_t offset_at = at + 2 + name_length(at);
    at = offset_at + static_cast<unsigned char>(bad_type[offset_at]) + 256 * static_cast<unsigned char>(bad_type[offset_at + 1]);
  }
  const size_t type_at = at + 2 + name_length(at) + 2;
  bad_type[type_at] = 3;
  EXPECT_NE(error_of(bad_type).find("data type 3"), std::string::npos) << error_of(bad_type);
  EXPECT_NE(error_of(std::string(600, '\0')).find("not a C3D file"), std::string::npos);
  std::string empty = good;  // no points and no analog samples: nothing bounds its frame count
  std::fill(empty.begin() + 2, empty.begin() + 6, '\0');
  EXPECT_NE(error_of(empty).find("neither points nor analog"), std::string::npos) << error_of(empty);
}

}  // namespace
}  // namespace pianokpm
