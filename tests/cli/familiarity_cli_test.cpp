// The one-camera path end to end on a small varied-camera corpus: a hand-frame model trained by
// `train` stores its familiarity reference; `predict` writes each window's familiarity beside the
// estimates and warns on keypoints unlike its training data; `report` shows the warning and the
// strip; a model from before (no reference) says it has none.
#include <fstream>

#include "io/array_file.h"
#include "predict/window_familiarity.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;

class FamiliarityCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::ScratchDirAt("pianokpm_familiarity_cli");
    const auto& d = dir_->path();
    const auto synth = run_cli("synth --out " + (d / "c").string() +
                               " --pianists 4 --tasks 2 --takes 2 --seconds 8 --cameras varied --threads 2");
    ASSERT_EQ(synth.exit_code, 0) << synth.output;
    const auto train =
        run_cli("train --data " + (d / "c").string() + " --split " + (d / "c/dataset_architectural.json").string() +
                " --architecture pose_tcn --modality pose --views 1 --pose-frame hand --epochs 2 --batch 4 "
                "--max-batches 3 --threads 1 --config " PIANOKPM_FIXTURES "/../../configs/train_one_camera.json --out " +
                (d / "run").string());
    ASSERT_EQ(train.exit_code, 0) << train.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string at(const std::string& name) { return (dir_->path() / name).string(); }
  static testing::ScratchDirAt* dir_;
};
testing::ScratchDirAt* FamiliarityCli::dir_ = nullptr;

TEST_F(FamiliarityCli, TrainedModelCarriesItsReference) {
  const std::string config = testing::read_bytes(at("run/config.json"));
  EXPECT_NE(config.find("\"familiarity\""), std::string::npos);
  EXPECT_NE(config.find("\"pose_frame\": \"hand\""), std::string::npos);
}

TEST_F(FamiliarityCli, PredictWritesFamiliarityBesideTheEstimates) {
  const auto r = run_cli("predict --model " + at("run/best.pt") + " --pose-top " + at("c/hand_data/keyp_top/t1_p1_1.pkl") +
                         " --out " + at("t1_p1_1_emg.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const WindowFamiliarity f = read_familiarity_csv(at("t1_p1_1_emg_familiarity.csv"));
  EXPECT_EQ(f.windows(), 8);  // 8 s of pose, 1-s windows
  EXPECT_GE(f.score.min().item<double>(), 0.0);
  EXPECT_LE(f.score.max().item<double>(), 1.0);
  EXPECT_NE(r.output.find("windows unfamiliar"), std::string::npos) << r.output;
}

TEST_F(FamiliarityCli, FrozenKeypointsAreUnfamiliarInPredictAndReport) {
  // the first frame held for the whole performance: a tracker that froze
  const torch::Tensor pose = read_array(at("c/hand_data/keyp_top/t2_p2_1.pkl"));
  write_array(at("frozen.npy"), pose.narrow(0, 0, 1).expand_as(pose).contiguous());
  const auto r =
      run_cli("predict --model " + at("run/best.pt") + " --pose-top " + at("frozen.npy") + " --out " + at("frozen_emg.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("UNFAMILIAR INPUT"), std::string::npos) << r.output;
  const WindowFamiliarity f = read_familiarity_csv(at("frozen_emg_familiarity.csv"));
  EXPECT_EQ(f.unfamiliar, f.windows());
  EXPECT_TRUE(f.warn);
  // the report finds the scores beside the EMG and opens with the warning
  const auto rep =
      run_cli("report --emg " + at("frozen_emg.csv") + " --model " + at("run/best.pt") + " --out " + at("frozen.html"));
  ASSERT_EQ(rep.exit_code, 0) << rep.output;
  const std::string html = testing::read_bytes(at("frozen.html"));
  EXPECT_NE(html.find("id=\"familiarity-warning\""), std::string::npos);
  EXPECT_NE(html.find("id=\"familiarity-strip-0\""), std::string::npos);
  // the ordinary performance's report has the strip and no warning
  ASSERT_EQ(run_cli("predict --model " + at("run/best.pt") + " --pose-top " + at("c/hand_data/keyp_top/t2_p2_1.pkl") + " --out " +
                    at("plain_emg.csv"))
                .exit_code,
            0);
  ASSERT_EQ(run_cli("report --emg " + at("plain_emg.csv") + " --out " + at("plain.html")).exit_code, 0);
  const std::string plain = testing::read_bytes(at("plain.html"));
  EXPECT_EQ(plain.find("id=\"familiarity-warning\""), std::string::npos);
  EXPECT_NE(plain.find("id=\"familiarity-strip-0\""), std::string::npos);
  // a network alone says nothing else is given there
  EXPECT_NE(r.output.find("and its estimates there are not to be trusted"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("network's estimates"), std::string::npos) << r.output;
  EXPECT_NE(html.find("so its estimates there are not to be trusted"), std::string::npos);
}

TEST_F(FamiliarityCli, TheShippedOneCameraModelSaysWhatItGivesWhereUnfamiliar) {
  // A real hand from above (tests/fixtures/hands/finger_moves.npy, the index finger swung
  // sideways): unfamiliar to the shipped one-camera model, which gives the anatomical estimate there.
  const torch::Tensor moves = read_array(testing::fixture("hands/finger_moves.npy"));  // [11, 179, 42]
  write_array(at("real_hand.npy"), moves[1].reshape({179, 21, 2}).contiguous());
  const std::string model = PIANOKPM_FIXTURES "/../../assets/models/synthetic_any_camera.pt";
  const auto r = run_cli("predict --model " + model + " --pose-top " + at("real_hand.npy") + " --out " + at("real_emg.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("UNFAMILIAR INPUT"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("its network's estimates there are not to be trusted; where the hand is seen square-on (the palm "
                          "parallel to the image) this model gives the anatomical estimator's envelopes instead"),
            std::string::npos)
      << r.output;
  const auto rep = run_cli("report --emg " + at("real_emg.csv") + " --model " + model + " --out " + at("real.html"));
  ASSERT_EQ(rep.exit_code, 0) << rep.output;
  const std::string html = testing::read_bytes(at("real.html"));
  EXPECT_NE(html.find("its network's estimates there are not to be trusted; where the hand is seen square-on"),
            std::string::npos);
}

TEST_F(FamiliarityCli, ModelWithoutReferenceSaysSo) {
  const auto r = run_cli("predict --model " PIANOKPM_FIXTURES "/../../assets/models/synthetic_top_pose.pt --pose-top " +
                         at("c/hand_data/keyp_top/t1_p1_1.pkl") + " --out " + at("old_emg.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("no familiarity scores"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(at("old_emg_familiarity.csv")));
}

TEST_F(FamiliarityCli, OldModelGainsAReferenceWithItsWeightsUnchanged) {
  const std::string old_model = PIANOKPM_FIXTURES "/../../assets/models/synthetic_top_pose.pt";
  const auto fit = run_cli("familiarity --model " + old_model + " --data " + at("c") + " --split " +
                           at("c/dataset_architectural.json") + " --out " + at("refit.pt"));
  ASSERT_EQ(fit.exit_code, 0) << fit.output;
  const std::string pose = at("c/hand_data/keyp_top/t1_p1_1.pkl");
  ASSERT_EQ(run_cli("predict --model " + old_model + " --pose-top " + pose + " --out " + at("before.csv")).exit_code, 0);
  const auto r = run_cli("predict --model " + at("refit.pt") + " --pose-top " + pose + " --out " + at("after.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(testing::read_bytes(at("before.csv")), testing::read_bytes(at("after.csv"))) << "the same estimates";
  EXPECT_EQ(read_familiarity_csv(at("after_familiarity.csv")).windows(), 8);
  // a set that does not exist, and a keys-only model, are refused by name
  const auto bad = run_cli("familiarity --model " + old_model + " --data " + at("c") + " --split " +
                           at("c/dataset_architectural.json") + " --set nowhere --out " + at("bad.pt"));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("nowhere"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(at("bad.pt")));
}

TEST_F(FamiliarityCli, BadFamiliarityFilesAreRefusedByName) {
  ASSERT_EQ(run_cli("predict --model " + at("run/best.pt") + " --pose-top " + at("c/hand_data/keyp_top/t1_p2_2.pkl") + " --out " +
                    at("any_emg.csv"))
                .exit_code,
            0);
  testing::write_bytes(at("bad_familiarity.csv"), "start_s,end_s,familiarity,unfamiliar\n0,1,1.5,0\n");
  const auto r =
      run_cli("report --emg " + at("any_emg.csv") + " --familiarity " + at("bad_familiarity.csv") + " --out " + at("bad.html"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad_familiarity.csv"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(at("bad.html")));
}

}  // namespace
}  // namespace pianokpm
