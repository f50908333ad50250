// pianokpm emg end to end: the synthetic corpus's raw EMG back to its envelopes, an EDF file,
// and bad input (one line, names the file, exit 2, no output).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/signal_recording.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;

void expect_error(const std::string& args, const std::string& out, const std::string& fragment) {
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(fragment), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(EmgCli, SyntheticRawEmgGivesBackTheCorpusEnvelope) {
  testing::ScratchDir dir;
  ASSERT_EQ(run_cli("synth --out " + dir / "c" + " --pianists 1 --tasks 2 --takes 1 --seconds 8 --seed 5").exit_code, 0);
  const auto meta = nlohmann::json::parse(read_file(dir / "c/meta/t2_p1_1.json"));
  std::string mvc;
  for (double v : meta.at("mvc_reference_mv")) mvc += (mvc.empty() ? "" : ",") + fmt::format("{:.17g}", v);
  const auto r = run_cli("emg --in " + dir / "c/emg_raw/t2_p1_1.pkl" + " --rate 2000 --normalise mvc --mvc " + mvc + " --out " +
                         dir / "env.npy");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ours = read_array(dir / "env.npy");
  const auto corpus = read_array(dir / "c/emg_data/t2_p1_1.pkl");
  ASSERT_EQ(ours.sizes(), corpus.sizes());
  // The corpus made its envelope from the float64 raw signal; the file holds it in float32.
  const double diff = testing::max_abs_diff(ours, corpus);
  RecordProperty("max_abs_difference", std::to_string(diff));
  std::printf("emg_raw -> envelope vs emg_data: max abs difference %.3g (envelopes 0..1)\n", diff);
  EXPECT_LT(diff, 1e-5);
}

TEST(EmgCli, ProcessesAnEdfChannelAtItsOwnRate) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  testing::ScratchDir dir;
  const auto r = run_cli("emg --in " + testing::fixture("edf/S001R01.edf") +
                         " --channels Fc5.,C3.. --band-low 20 --band-high 70 --notch 60 --out " + dir / "env.csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = testing::read_bytes(dir / "env.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "Fc5.,C3..");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 61 * 1024 + 1);  // 61 s at 1024 Hz, plus header
  EXPECT_NE(r.output.find("(uV): 160 Hz"), std::string::npos) << r.output;
}

TEST(EmgCli, BadInputIsOneClearError) {
  testing::ScratchDir dir;
  testing::write_bytes(dir / "ragged.csv", "a,b\n1,2\n3\n");
  expect_error("emg --in " + dir / "ragged.csv" + " --rate 2000 --out " + dir / "o.npy", dir / "o.npy", "line 3 has 1 fields");
  testing::write_bytes(dir / "ok.csv", "a,b\n1,2\n3,4\n");
  expect_error("emg --in " + dir / "ok.csv" + " --out " + dir / "o.npy", dir / "o.npy", "give one with --rate");
  expect_error("emg --in " + dir / "ok.csv" + " --rate 500 --out " + dir / "o.npy", dir / "o.npy",
               "band-pass edges must satisfy");  // 450 Hz edge above Nyquist of 500 Hz
  expect_error("emg --in " + dir / "ok.csv" + " --rate 2000 --normalise mvc --mvc 1 --out " + dir / "o.npy", dir / "o.npy",
               "1 MVC values for 2 channels");
  expect_error("emg --in " + dir / "ok.csv" + " --rate 2000 --out " + dir / "o.txt", dir / "o.txt", "must end in");
  expect_error("emg --in " + dir / "none.edf" + " --out " + dir / "o.npy", dir / "o.npy", "none.edf: no such file");
}

TEST(EmgCli, TruncatedOrMalformedEdfIsOneClearError) {
  if (!have_biosig()) GTEST_SKIP() << "built without libbiosig";
  testing::ScratchDir dir;
  const std::string edf = testing::read_bytes(testing::fixture("edf/small.edf"));
  testing::write_bytes(dir / "cut.edf", edf.substr(0, edf.size() - 10));
  expect_error("emg --in " + dir / "cut.edf" + " --band-high 45 --lowpass 5 --out " + dir / "o.npy", dir / "o.npy",
               "cut.edf: truncated");
  std::string bad = edf;
  bad.replace(236, 8, "two     ");
  testing::write_bytes(dir / "bad.edf", bad);
  expect_error("emg --in " + dir / "bad.edf" + " --band-high 45 --lowpass 5 --out " + dir / "o.npy", dir / "o.npy",
               "bad.edf: malformed EDF/BDF header: number of data records 'two' is not an integer");
}

}  // namespace
}  // namespace pianokpm
