// pianokpm convert: a performance given as raw EMG, key depth or MIDI, and keypoints in any
// supported format, into the release layout that `train` and `eval` read unchanged.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/bids_emg.h"
#include "io/c3d_reader.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;

class ConvertCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_ = new testing::ScratchDirAt("pianokpm_convert_corpus");
    const auto r =
        run_cli("synth --out " + (corpus_->path() / "c").string() + " --pianists 2 --tasks 1 --takes 1 --seconds 6 --seed 9");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { delete corpus_; }
  static std::string src(const std::string& rel) { return (corpus_->path() / "c" / rel).string(); }
  static std::string mvc_of(const std::string& name) {
    const auto meta = nlohmann::json::parse(read_file(src("meta/" + name + ".json")));
    std::string mvc;
    for (double v : meta.at("mvc_reference_mv")) mvc += (mvc.empty() ? "" : ",") + fmt::format("{:.17g}", v);
    return mvc;
  }
  static testing::ScratchDirAt* corpus_;
};
testing::ScratchDirAt* ConvertCli::corpus_ = nullptr;

TEST_F(ConvertCli, RebuildsTheReleaseLayoutFromRawEmgAndTrainRunsOnIt) {
  testing::ScratchDir dir;
  const std::string out = dir / "mine", split = dir / "mine/split.json";
  for (const auto& [name, set] : {std::pair<std::string, std::string>{"t1_p1_1", "train"}, {"t1_p2_1", "val"}}) {
    const auto r =
        run_cli("convert --out " + out + " --name " + name + " --pose-top " + src("hand_data/keyp_top/" + name + ".pkl") +
                " --pose-right " + src("hand_data/keyp_right/" + name + ".pkl") + " --keys " +
                src("keystroke_data/" + name + ".pkl") + " --emg " + src("emg_raw/" + name + ".pkl") +
                " --rate 2000 --normalise mvc --mvc " + mvc_of(name) + " --split " + split + " --set " + set);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const std::string f = "t1_p1_1.pkl";
  EXPECT_TRUE(torch::equal(read_array(out + "/keystroke_data/" + f), read_array(src("keystroke_data/" + f))));
  EXPECT_TRUE(torch::equal(read_array(out + "/hand_data/keyp_top/" + f), read_array(src("hand_data/keyp_top/" + f))));
  EXPECT_LT(testing::max_abs_diff(read_array(out + "/emg_data/" + f), read_array(src("emg_data/" + f))), 1e-5);
  const auto listed = nlohmann::json::parse(read_file(split));
  EXPECT_EQ(listed.at("train"), nlohmann::json::array({"t1_p1_1.pkl"}));
  EXPECT_EQ(listed.at("val"), nlohmann::json::array({"t1_p2_1.pkl"}));
  const auto train =
      run_cli("train --data " + out + " --split " + split + " --out " + dir / "run" + " --architecture mean --epochs 1");
  EXPECT_EQ(train.exit_code, 0) << train.output;
}

TEST_F(ConvertCli, TakesMidiAndCsvKeypoints) {
  testing::ScratchDir dir;
  // the top view as CSV: header, then x0,y0,c0,... per frame
  const auto top = read_array(src("hand_data/keyp_top/t1_p1_1.pkl"));
  std::string csv;
  for (int k = 0; k < 21; ++k) csv += fmt::format("{}x{},y{},c{}", k ? "," : "", k, k, k);
  csv += "\n";
  const auto flat = top.reshape({top.size(0), -1});
  for (int64_t t = 0; t < flat.size(0); ++t) {
    for (int64_t c = 0; c < flat.size(1); ++c) csv += fmt::format("{}{:.9g}", c ? "," : "", flat[t][c].item<float>());
    csv += "\n";
  }
  testing::write_bytes(dir / "top.csv", csv);
  const auto r = run_cli("convert --out " + dir / "mine" + " --name t1_p1_1 --pose-top " + dir / "top.csv" + " --midi " +
                         src("midi/t1_p1_1.mid") + " --emg-envelope " + src("emg_data/t1_p1_1.pkl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LT(testing::max_abs_diff(read_array(dir / "mine/hand_data/keyp_top/t1_p1_1.pkl"), top), 1e-4);
  const auto keys = read_array(dir / "mine/keystroke_data/t1_p1_1.pkl");
  const auto corpus_keys = read_array(src("keystroke_data/t1_p1_1.pkl"));
  ASSERT_EQ(keys.sizes(), corpus_keys.sizes());  // rendered over the EMG's duration
  // The corpus's MIDI carries the same notes its key depth was rendered from, quantised to ticks.
  EXPECT_GT(torch::mean((keys > 0.5).eq(corpus_keys > 0.5).to(torch::kFloat)).item<float>(), 0.99f);
}

// Another writer's C3D (BTS, 8 leg-muscle EMG channels at 1000 Hz, 4.56 s) as a performance's
// EMG: six channels chosen by label and number, with keys and keypoints cut to its length; the
// result trains and evaluates like any release-layout performance.
TEST_F(ConvertCli, C3dAnalogEmgTrainsAndEvaluates) {
  testing::ScratchDir dir;
  write_array(dir / "keys.npy", read_array(src("keystroke_data/t1_p1_1.pkl")).narrow(0, 0, 4673));
  write_array(dir / "top.npy", read_array(src("hand_data/keyp_top/t1_p1_1.pkl")).narrow(0, 0, 274));
  const std::string split = dir / "mine/split.json";
  for (const auto& [name, set] :
       {std::pair<std::string, std::string>{"t1_p1_1", "train"}, {"t1_p1_2", "val"}, {"t1_p1_3", "test"}}) {
    const auto r =
        run_cli("convert --out " + dir / "mine" + " --name " + name + " --pose-top " + dir / "top.npy" + " --pose-right " +
                dir / "top.npy" + " --keys " + dir / "keys.npy" + " --emg " + testing::fixture("c3d/1123x01EMG.c3d") +
                " --channels \"Right Rectus Femoris\",2,3,4,5,\"Left Biceps Femoris Caput Longus\" --split " + split + " --set " +
                set + " --bids " + dir / "bids" + " --bids-subject " + bids_label(name));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // --bids: the same envelope as a measured BIDS-EMG recording (its six channels are the
  // release's muscles, in order), with the keys' events.
  const std::string stem = dir / "bids/sub-t1p11/emg/sub-t1p11_task-piano_desc-envelope";
  EXPECT_TRUE(std::filesystem::exists(stem + "_emg.edf"));
  EXPECT_NE(testing::read_bytes(stem + "_channels.tsv").find("ADM\tEMG\t"), std::string::npos);
  EXPECT_NE(testing::read_bytes(stem + "_events.tsv").find("\tkeystroke\t"), std::string::npos);
  const torch::Tensor emg = read_array(dir / "mine/emg_data/t1_p1_1.pkl");
  ASSERT_EQ(emg.sizes(), (std::vector<int64_t>{4673, 6}));
  EXPECT_NEAR(emg.max().item<float>(), 1.0f, 1e-6);  // each channel divided by its own maximum
  const auto train =
      run_cli("train --data " + dir / "mine" + " --split " + split + " --out " + dir / "run" + " --architecture mean --epochs 1");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const auto e = run_cli("eval --model " + dir / "run/best.pt" + " --data " + dir / "mine" + " --split " + split +
                         " --set test --no-otd --out " + dir / "eval");
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "eval/metrics.md"));
}

// Keypoints from a C3D file's markers through a mapping file: the markers seen from above (z up:
// x and y kept), resampled from the file's 50 fps to the pose rate of 60.
TEST_F(ConvertCli, C3dMarkersAsKeypoints) {
  testing::ScratchDir dir;
  const C3dFile c3d = read_c3d(testing::fixture("c3d/Eb015pi.c3d"));
  nlohmann::json labels = nlohmann::json::array();
  for (int k = 0; k < 21; ++k) labels.push_back(c3d.point_labels[k % 20]);
  // The trial loses some of these markers for up to 0.82 s: bridged when max_gap_s allows it.
  testing::write_bytes(dir / "map.json", nlohmann::json{{"keypoints", labels}, {"up", "z"}, {"max_gap_s", 1}}.dump());
  const auto r = run_cli("convert --out " + dir / "mine" + " --name t1_p1_1 --pose-top " + testing::fixture("c3d/Eb015pi.c3d") +
                         " --c3d-markers " + dir / "map.json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const torch::Tensor pose = read_array(dir / "mine/hand_data/keyp_top/t1_p1_1.pkl");
  ASSERT_EQ(pose.sizes(), (std::vector<int64_t>{539, 21, 2}));  // 8.98 s at 60 fps, both ends included
  // Pose frame 6 is C3D frame 5 exactly (0.1 s); frame 3 lies half way between frames 2 and 3.
  int checked = 0;
  for (int k = 0; k < 20; ++k) {
    if (!(c3d.valid[5][k] && c3d.valid[2][k] && c3d.valid[3][k])) continue;
    ++checked;
    for (int a = 0; a < 2; ++a) {
      EXPECT_NEAR(pose[6][k][a].item<float>(), c3d.points[5][k][a], 1e-3);
      EXPECT_NEAR(pose[3][k][a].item<float>(), (c3d.points[2][k][a] + c3d.points[3][k][a]) / 2, 1e-3);
    }
  }
  EXPECT_GT(checked, 10);
  EXPECT_TRUE(torch::equal(pose[0][20], pose[0][0]));  // keypoint 20 is marker 0 again
  const auto missing = run_cli("convert --out " + dir / "other" + " --name x --pose-top " + testing::fixture("c3d/Eb015pi.c3d"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("need --c3d-markers"), std::string::npos) << missing.output;
  labels[3] = "NOPE";
  testing::write_bytes(dir / "bad.json", nlohmann::json{{"keypoints", labels}, {"max_gap_s", 1}}.dump());
  const auto bad = run_cli("convert --out " + dir / "other" + " --name x --pose-top " + testing::fixture("c3d/Eb015pi.c3d") +
                           " --c3d-markers " + dir / "bad.json");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("no marker 'NOPE'"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "other"));
}

TEST_F(ConvertCli, DisagreeingLengthsAndWrongChannelCountsAreErrorsWithNoOutput) {
  testing::ScratchDir dir;
  const auto r = run_cli("convert --out " + dir / "mine" + " --name x --keys " + src("keystroke_data/t1_p1_1.pkl") + " --emg " +
                         testing::fixture("edf/small.edf") + " --band-high 45 --lowpass 5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("the release layout needs 6"), std::string::npos) << r.output;
  write_array(dir / "short.npy", torch::zeros({100, 6}));
  const auto r2 = run_cli("convert --out " + dir / "mine" + " --name x --keys " + src("keystroke_data/t1_p1_1.pkl") +
                          " --emg-envelope " + dir / "short.npy");
  EXPECT_EQ(r2.exit_code, 2) << r2.output;
  EXPECT_NE(r2.output.find("more than one window apart"), std::string::npos) << r2.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "mine"));
}

}  // namespace
}  // namespace pianokpm
