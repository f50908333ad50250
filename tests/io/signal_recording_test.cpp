// Biosignal readers: an EDF+ file this project did not write (values checked against a direct
// decoding of its records), CSV and arrays, and the errors users meet; the EDF+/BDF+ writer read
// back by libbiosig.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/input_error.h"
#include "io/edf_header.h"
#include "io/edf_writer.h"
#include "io/signal_recording.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::fixture;

std::string error_of(const std::string& path, const SignalReadOptions& o = {}) {
  try {
    read_signals(path, o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SignalRecording, ReadsPhysionetEdfPlusWithLabelsUnitsAndRate) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  const SignalRecording rec = read_signals(fixture("edf/S001R01.edf"), {});
  // PhysioNet EEGMMIDB: 64 EEG channels at 160 Hz; 61 one-second records; annotations not a channel
  ASSERT_EQ(rec.channels.size(), 64u);
  EXPECT_EQ(rec.channels.front().label, "Fc5.");
  EXPECT_EQ(rec.channels[1].label, "Fc3.");
  EXPECT_EQ(rec.channels.back().label, "Iz..");
  for (const auto& c : rec.channels) {
    EXPECT_EQ(c.rate_hz, 160.0);
    EXPECT_EQ(c.unit, "uV");
    EXPECT_EQ(c.samples.size(), 61u * 160u);
  }
  // Record 0 decoded by hand: digital = physical here (+-8092 both), int16 little-endian
  EXPECT_DOUBLE_EQ(rec.channels[0].samples[0], -16.0);
  EXPECT_DOUBLE_EQ(rec.channels[0].samples[1], -56.0);
  EXPECT_DOUBLE_EQ(rec.channels[0].samples[2], -55.0);
  EXPECT_DOUBLE_EQ(rec.channels[1].samples[0], -29.0);
}

TEST(SignalRecording, ReadsSixteenBitEdfAndTwentyFourBitBdfInPhysicalUnits) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  // tests/fixtures/edf/make_small_edf_bdf.py: digital (37 i + 1000 s + r) mod 2000 - 1000,
  // -10..10 mV over the whole digital range
  for (const auto& [file, dmin, dmax] : std::vector<std::tuple<std::string, double, double>>{
           {"edf/small.edf", -32768, 32767}, {"edf/small.bdf", -8388608, 8388607}}) {
    const SignalRecording rec = read_signals(fixture(file), {});
    ASSERT_EQ(rec.channels.size(), 2u) << file;
    EXPECT_EQ(rec.channels[1].label, "ADM");
    EXPECT_EQ(rec.channels[1].unit, "mV");
    EXPECT_EQ(rec.channels[0].rate_hz, 100.0);
    ASSERT_EQ(rec.channels[0].samples.size(), 200u);
    auto physical = [&](int i, int s, int r) {
      const double digital = (i * 37 + s * 1000 + r) % 2000 - 1000;
      return (digital - dmin) * 20.0 / (dmax - dmin) - 10.0;
    };
    for (int r = 0; r < 2; ++r)
      for (int s = 0; s < 2; ++s)
        for (int i : {0, 1, 57, 99}) {
          EXPECT_NEAR(rec.channels[s].samples[r * 100 + i], physical(i, s, r), 1e-9) << file << " " << r << s << i;
        }
  }
}

TEST(SignalRecording, SelectsChannelsByLabelOrNumberInOrder) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  SignalReadOptions o;
  // Numbers count from 1, as EDFbrowser shows channels: 1 is Fc5., 64 the last, Iz..
  o.channels = {"Fc3.", "1", "64"};
  const SignalRecording rec = read_signals(fixture("edf/S001R01.edf"), o);
  ASSERT_EQ(rec.channels.size(), 3u);
  EXPECT_EQ(rec.channels[0].label, "Fc3.");
  EXPECT_EQ(rec.channels[1].label, "Fc5.");
  EXPECT_EQ(rec.channels[2].label, "Iz..");
  o.channels = {"FDI"};
  EXPECT_NE(error_of(fixture("edf/S001R01.edf"), o).find("no channel 'FDI'"), std::string::npos);
  for (const char* bad : {"0", "65", "99999999999999999999"}) {
    o.channels = {bad};
    EXPECT_FALSE(error_of(fixture("edf/S001R01.edf"), o).empty()) << bad;
  }
  o.channels = {"0"};
  EXPECT_NE(error_of(fixture("edf/S001R01.edf"), o).find("channels are numbered from 1"), std::string::npos);
  o = {};
  o.rate_hz = 1000;
  EXPECT_NE(error_of(fixture("edf/S001R01.edf"), o).find("carries its own sampling rate"), std::string::npos);
}

TEST(SignalRecording, RejectsTruncatedAndCorruptEdf) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  testing::ScratchDir dir;
  const std::string bytes = testing::read_bytes(fixture("edf/S001R01.edf"));
  testing::write_bytes(dir / "cut.edf", bytes.substr(0, bytes.size() / 2));
  const std::string cut = error_of(dir / "cut.edf");
  EXPECT_NE(cut.find("cut.edf"), std::string::npos) << cut;
  std::string bad_header = bytes;
  bad_header.replace(252, 4, "xx  ");  // number of signals not a number
  testing::write_bytes(dir / "header.edf", bad_header);
  const std::string header = error_of(dir / "header.edf");
  EXPECT_NE(header.find("header.edf"), std::string::npos) << header;
  testing::write_bytes(dir / "empty.edf", "");
  EXPECT_NE(error_of(dir / "empty.edf").find("empty.edf"), std::string::npos);
  for (const auto& e : {cut, header}) EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(SignalRecording, ChecksEdfHeaderFieldsBeforeLibbiosigSeesThem) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  // Found by fuzzing: libbiosig 3.0 dies of SIGFPE on a non-numeric record count.
  const std::string crash = error_of(fixture("edf/regressions/non_numeric_record_count.edf"));
  EXPECT_NE(crash.find("malformed EDF/BDF header"), std::string::npos) << crash;
  // Found by fuzzing: another format's magic text in the header sends libbiosig through a null FILE*.
  const std::string magic = error_of(fixture("edf/regressions/alpha_trace_magic_in_header.edf"));
  EXPECT_NE(magic.find("ALPHA-TRACE-MEDICAL"), std::string::npos) << magic;
  // Found by fuzzing: control bytes and a garbled start date crash libbiosig's date parsing (SIGFPE).
  const std::string date = error_of(fixture("edf/regressions/garbage_start_date.edf"));
  EXPECT_NE(date.find("is not printable ASCII"), std::string::npos) << date;
  testing::ScratchDir dir;
  const std::string good = testing::read_bytes(fixture("edf/small.edf"));
  auto with = [&](size_t offset, const std::string& text) {
    std::string b = good;
    b.replace(offset, text.size(), text);
    testing::write_bytes(dir / "x.edf", b);
    return error_of(dir / "x.edf");
  };
  EXPECT_NE(with(184, "999     ").find("header size 999 does not match 2 signals"), std::string::npos);
  EXPECT_NE(with(244, "0       ").find("duration must be positive"), std::string::npos);
  EXPECT_NE(with(236, "x2      ").find("number of data records 'x2' is not an integer"), std::string::npos);
  EXPECT_NE(with(168, "2024-11-").find("start date '2024-11-' is not in the form dd.mm.yy"), std::string::npos);
  EXPECT_NE(with(256 + 2 * (16 + 80 + 8 + 8 + 8 + 8 + 8 + 80), "0       ").find("signal 1 has 0 samples per record"),
            std::string::npos);
  EXPECT_NE(with(236, "5       ").find("truncated: the header promises 5 data records"), std::string::npos);
}

TEST(SignalRecording, ReadsCsvWithHeaderAndOptionalTimeColumn) {
  testing::ScratchDir dir;
  testing::write_bytes(dir / "timed.csv", "time,FDI,ADM\n0.000,1,2\n0.001,3,4\n0.002,5,6\n");
  const SignalRecording timed = read_signals(dir / "timed.csv", {});
  ASSERT_EQ(timed.channels.size(), 2u);
  EXPECT_EQ(timed.channels[1].label, "ADM");
  EXPECT_NEAR(timed.channels[0].rate_hz, 1000.0, 1e-9);
  EXPECT_EQ(timed.channels[1].samples, (std::vector<double>{2, 4, 6}));

  testing::write_bytes(dir / "plain.csv", "FDI,ADM\n1,2\n3,4\n");
  EXPECT_NE(error_of(dir / "plain.csv").find("--rate"), std::string::npos);
  SignalReadOptions o;
  o.rate_hz = 2000;
  EXPECT_EQ(read_signals(dir / "plain.csv", o).channels[0].rate_hz, 2000.0);

  testing::write_bytes(dir / "ragged.csv", "FDI,ADM\n1,2\n3\n");
  EXPECT_NE(error_of(dir / "ragged.csv", o).find("line 3 has 1 fields but the header has 2"), std::string::npos);
  testing::write_bytes(dir / "nan.csv", "FDI,ADM\n1,2\nnan,4\n");
  EXPECT_NE(error_of(dir / "nan.csv", o).find("sample 1 is not a finite number"), std::string::npos);
  testing::write_bytes(dir / "text.csv", "FDI,ADM\n1,abc\n");
  EXPECT_NE(error_of(dir / "text.csv", o).find("'abc' is not a number"), std::string::npos);
  testing::write_bytes(dir / "noheader.csv", "1,2\n3,4\n");
  EXPECT_NE(error_of(dir / "noheader.csv", o).find("header"), std::string::npos);
  EXPECT_NE(error_of(dir / "missing.csv", o).find("no such file"), std::string::npos);
  testing::write_bytes(dir / "x.wav", "RIFF");
  EXPECT_NE(error_of(dir / "x.wav", o).find("unknown signal format"), std::string::npos);
}

// The header's 8-character numbers, rounded outward so that the data stays inside its range.
TEST(EdfWriter, HeaderNumbersBoundTheirValues) {
  EXPECT_EQ(edf_header_number(0.1234567, false), "0.123456");
  EXPECT_EQ(edf_header_number(0.1234567, true), "0.123457");
  EXPECT_EQ(edf_header_number(-0.0000001, false), "-0.00001");  // "-0.000001" is 9 characters
  EXPECT_EQ(edf_header_number(-0.0000001, true), "0");
  EXPECT_EQ(edf_header_number(123456.789, true), "123456.8");
  EXPECT_EQ(edf_header_number(-1234567.5, false), "-1234568");
  EXPECT_EQ(edf_header_number(2, true), "2");
  EXPECT_THROW(edf_header_number(1e9, true), std::invalid_argument);
}

// Two signals of 2.5 s at 256 Hz (the last 1-s record padded), in EDF+ and BDF+, read back by
// libbiosig within the quantisation step of each signal's range; the header passes our check.
TEST(EdfWriter, LibbiosigReadsWhatItWrites) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  testing::ScratchDir dir;
  std::vector<EdfSignal> signals = {{"FDI", "uV", "", "", {}}, {"a label of 16 ch", "", "estimated", "LP:10Hz", {}}};
  for (int i = 0; i < 640; ++i) {
    signals[0].samples.push_back(100 * std::sin(i * 0.05));
    signals[1].samples.push_back(0.5 + 0.5 * std::cos(i * 0.01));
  }
  for (const bool bdf : {false, true}) {
    SCOPED_TRACE(bdf ? "BDF+" : "EDF+");
    const std::string path = dir / (bdf ? "x.bdf" : "x.edf");
    EdfWriteOptions o;
    o.bdf = bdf;
    o.rate_hz = 256;
    write_edf(path, signals, {{0.5, 0.25, "key C4"}, {2.1, 0, "key A0"}}, o);
    const std::string bytes = testing::read_bytes(path);
    const EdfHeaderSummary h = check_edf_header(bytes, static_cast<int64_t>(bytes.size()), path);
    EXPECT_EQ(h.bdf, bdf);
    EXPECT_EQ(h.records, 3);
    EXPECT_EQ(h.signals, 3);  // and the annotation signal
    const SignalRecording rec = read_signals(path, {});
    ASSERT_EQ(rec.channels.size(), 2u);
    EXPECT_EQ(rec.channels[0].label, "FDI");
    EXPECT_EQ(rec.channels[1].label, "a label of 16 ch");
    EXPECT_EQ(rec.channels[0].unit, "uV");
    for (size_t c = 0; c < 2; ++c) {
      EXPECT_DOUBLE_EQ(rec.channels[c].rate_hz, 256);
      ASSERT_EQ(rec.channels[c].samples.size(), 768u);
      const auto [lo, hi] = std::minmax_element(signals[c].samples.begin(), signals[c].samples.end());
      const double step = (*hi - *lo) / (bdf ? 16777215.0 : 65535.0);
      for (size_t i = 0; i < 640; ++i) ASSERT_NEAR(rec.channels[c].samples[i], signals[c].samples[i], 1.01 * step + 1e-12) << i;
      EXPECT_NEAR(rec.channels[c].samples[767], signals[c].samples[639], 1.01 * step + 1e-12);  // padded with the last value
    }
  }
  EdfWriteOptions o;
  o.rate_hz = 256;
  signals[0].label = "seventeen chars!!";
  EXPECT_THROW(write_edf(dir / "long.edf", signals, {}, o), std::invalid_argument);
  signals[0].label = "FDI";
  signals[0].samples.pop_back();
  EXPECT_THROW(write_edf(dir / "ragged.edf", signals, {}, o), std::invalid_argument);
  o.rate_hz = 100.5;
  EXPECT_THROW(o.check(), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "long.edf"));
}

}  // namespace
}  // namespace pianokpm
