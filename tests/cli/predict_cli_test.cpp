// End to end: the pianokpm binary, its outputs and its errors (one line, names the file, exit 2,
// no output file).
#include "data/midi_keystrokes.h"
#include "io/array_file.h"
#include "io/midi_reader.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "model/state_dict.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::official;
using testing::run_cli;

const std::string kTop = official("performance/hand_data/keyp_top/t1_p1_1.pkl");
const std::string kRight = official("performance/hand_data/keyp_right/t1_p1_1.pkl");
const std::string kKeys = official("performance/keystroke_data/t1_p1_1.pkl");
const std::string kModel = official("state_dict.pth");

std::string predict_args(const std::string& model, const std::string& top, const std::string& right, const std::string& keys,
                         const std::string& out) {
  std::string args = "predict --model " + model + " --pose-top " + top + " --pose-right " + right;
  if (!keys.empty()) args += " --keys " + keys;
  return args + " --out " + out;
}

void expect_bad_input(const std::string& args, const std::string& out, const std::string& file, const std::string& fragment) {
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string error_line = r.output.substr(r.output.find("pianokpm: error:"));
  EXPECT_EQ(std::count(error_line.begin(), error_line.end(), '\n'), 1) << r.output;
  EXPECT_NE(error_line.find(file), std::string::npos) << r.output;
  EXPECT_NE(error_line.find(fragment), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out)) << out;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(out).parent_path())) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << "leftover " << entry.path();
  }
}

TEST(PredictCli, WritesCsvWithOneRowPerKeystrokeSample) {
  testing::ScratchDir dir;
  const auto r = run_cli(predict_args(kModel, kTop, kRight, kKeys, dir / "emg.csv") + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = testing::read_bytes(dir / "emg.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "ADM,PB,1DI,2DI,3DI,4DI");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3584 + 1);
}

TEST(PredictCli, NpyOutputMatchesOfficialExpectation) {
  testing::ScratchDir dir;
  const auto r = run_cli(predict_args(kModel, kTop, kRight, kKeys, dir / "emg.npy"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto emg = read_array(dir / "emg.npy");
  auto expected = read_array(official("performance_expected_emg_tc.npy"));
  EXPECT_LE(testing::max_abs_diff(emg.narrow(0, 0, expected.size(0)), expected), 1e-4);
}

TEST(PredictCli, HelpExplainsEveryOption) {
  const auto r = run_cli("predict --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option :
       {"--model", "--pose-top", "--pose-right", "--keys", "--out", "--device", "--threads", "--batch-windows", "--config"}) {
    EXPECT_NE(r.output.find(option), std::string::npos) << option;
  }
}

TEST(PredictCli, PoseOnlyAndKeysOnlyModelsPredict) {
  testing::ScratchDir dir;
  for (Modality m : {Modality::kPoseOnly, Modality::kKeysOnly}) {
    ModelConfig c;
    c.modality = m;
    EmgModel net = make_model(c);
    save_checkpoint(dir / "m.pt", net);
    const std::string args = m == Modality::kPoseOnly
                                 ? "predict -m " + (dir / "m.pt") + " --pose-top " + kTop + " --pose-right " + kRight
                                 : "predict -m " + (dir / "m.pt") + " --keys " + kKeys;
    const auto r = run_cli(args + " --out " + (dir / "emg.npy"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(read_array(dir / "emg.npy").sizes(), (std::vector<int64_t>{3584, 6}));
  }
}

TEST(PredictCli, MissingFile) {
  testing::ScratchDir dir;
  expect_bad_input(predict_args(kModel, dir / "nope.pkl", kRight, kKeys, dir / "o.csv"), dir / "o.csv", dir / "nope.pkl",
                   "file not found");
  expect_bad_input(predict_args(dir / "nope.pth", kTop, kRight, kKeys, dir / "o.csv"), dir / "o.csv", dir / "nope.pth",
                   "file not found");
}

TEST(PredictCli, WrongShape) {
  testing::ScratchDir dir;
  write_array(dir / "pose.npy", torch::zeros({210, 20, 3}));
  expect_bad_input(predict_args(kModel, dir / "pose.npy", kRight, kKeys, dir / "o.csv"), dir / "o.csv", dir / "pose.npy",
                   "shape [210, 20, 3], expected [T, 21, C>=2]");
  write_array(dir / "keys.npy", torch::zeros({3584, 87}));
  expect_bad_input(predict_args(kModel, kTop, kRight, dir / "keys.npy", dir / "o.csv"), dir / "o.csv", dir / "keys.npy",
                   "expected [N, 88]");
}

TEST(PredictCli, NanOrInfInKeypoints) {
  testing::ScratchDir dir;
  auto pose = read_array(kTop);
  pose[17][3][1] = std::numeric_limits<float>::quiet_NaN();
  write_array(dir / "nan.npy", pose);
  expect_bad_input(predict_args(kModel, dir / "nan.npy", kRight, kKeys, dir / "o.csv"), dir / "o.csv", dir / "nan.npy",
                   "NaN or Inf (first at row 17)");
  pose = read_array(kTop);
  pose[3][0][0] = std::numeric_limits<float>::infinity();
  write_array(dir / "inf.npy", pose);
  expect_bad_input(predict_args(kModel, kTop, dir / "inf.npy", kKeys, dir / "o.csv"), dir / "o.csv", dir / "inf.npy",
                   "NaN or Inf");
}

TEST(PredictCli, DurationsDisagree) {
  testing::ScratchDir dir;
  write_array(dir / "keys.npy", torch::zeros({1024, 88}));
  expect_bad_input(predict_args(kModel, kTop, kRight, dir / "keys.npy", dir / "o.csv"), dir / "o.csv", dir / "keys.npy",
                   "keystrokes last 1.00 s but the pose lasts 3.50 s (they must agree within one");
}

TEST(PredictCli, PickleHoldingAnythingButNumbers) {
  testing::ScratchDir dir;
  expect_bad_input(predict_args(kModel, testing::fixture("pickles/dict_p4.pkl"), kRight, kKeys, dir / "o.csv"), dir / "o.csv",
                   "dict_p4.pkl", "holds a dict");
  expect_bad_input(predict_args(kModel, kTop, kRight, testing::fixture("pickles/exploit_os_system_p4.pkl"), dir / "o.csv"),
                   dir / "o.csv", "exploit_os_system_p4.pkl", "refuses to load 'posix.system'");
}

TEST(PredictCli, TruncatedFile) {
  testing::ScratchDir dir;
  const std::string bytes = testing::read_bytes(kKeys);
  testing::write_bytes(dir / "cut.pkl", bytes.substr(0, bytes.size() - 1000));
  expect_bad_input(predict_args(kModel, kTop, kRight, dir / "cut.pkl", dir / "o.csv"), dir / "o.csv", dir / "cut.pkl",
                   "truncated");
}

TEST(PredictCli, CheckpointWithMissingOrMisshapenTensor) {
  testing::ScratchDir dir;
  EmgModel net = make_model(ModelConfig{});
  // Write our format by hand, as save_checkpoint would, but with one tensor dropped / reshaped.
  for (const std::string mode : {"missing", "misshapen"}) {
    torch::serialize::OutputArchive archive;
    archive.write("pianokpm_format", c10::IValue(std::string("pianokpm-checkpoint-v1")));
    archive.write("config", c10::IValue(net->config().to_json().dump()));
    archive.write("metadata", c10::IValue(std::string("{}")));
    for (const auto& [name, t] : named_tensors(net)) {
      if (name == "decoder.mlp.0.weight") {
        if (mode == "missing") continue;
        archive.write("weights/" + name, torch::zeros({512, 71}));
      } else {
        archive.write("weights/" + name, t.detach());
      }
    }
    archive.save_to(dir / (mode + ".pt"));
    expect_bad_input(
        predict_args(dir / (mode + ".pt"), kTop, kRight, kKeys, dir / "o.csv"), dir / "o.csv", mode + ".pt",
        mode == "missing" ? "missing tensor 'decoder.mlp.0.weight'" : "tensor 'decoder.mlp.0.weight' has shape [512, 71]");
  }
}

TEST(PredictCli, BadOptionsExitWithCode2) {
  testing::ScratchDir dir;
  EXPECT_EQ(run_cli("predict --model " + kModel).exit_code, 2);  // --out missing
  expect_bad_input(predict_args(kModel, kTop, kRight, kKeys, dir / "o.txt"), dir / "o.txt", "o.txt", "must end in .csv or .npy");
  expect_bad_input(predict_args(kModel, kTop, kRight, kKeys, dir / "o.csv") + " --device tpu", dir / "o.csv", "--device",
                   "must be cpu or cuda");
}

TEST(PredictCli, TakesKeystrokesFromMidiOverThePoseDuration) {
  testing::ScratchDir dir;
  // Notes that end (2.9 s) before the pose does (3.5 s): the keys rest for the remainder.
  std::vector<MidiNote> notes;
  for (int i = 0; i < 6; ++i) notes.push_back({60 + 2 * i, 80, 0.5 * i, 0.5 * i + 0.4});
  const std::string midi = dir / "short.mid";
  testing::write_bytes(midi, serialize_midi(notes, 120));
  const auto r = run_cli("predict --model " + kModel + " --pose-top " + kTop + " --pose-right " + kRight + " --midi " + midi +
                         " --out " + dir / "emg.npy");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto emg = read_array(dir / "emg.npy");
  // The same as predicting from the MIDI file's key depth rendered over the pose's duration
  // (T frames at 60 fps) and given as a key-depth file.
  MidiKeystrokeOptions render;
  render.duration_s = static_cast<double>(read_array(kTop).size(0)) / 60.0;
  write_array(dir / "midi_keys.npy", midi_to_key_depth(read_midi(midi), render));
  const auto from_keys = run_cli(predict_args(kModel, kTop, kRight, dir / "midi_keys.npy", dir / "keys.npy"));
  ASSERT_EQ(from_keys.exit_code, 0) << from_keys.output;
  const auto reference = read_array(dir / "keys.npy");
  ASSERT_EQ(emg.sizes(), reference.sizes());
  EXPECT_LE(testing::max_abs_diff(emg, reference), 1e-6);
  // and not what the performance's own keystrokes give
  ASSERT_EQ(run_cli(predict_args(kModel, kTop, kRight, kKeys, dir / "own.npy")).exit_code, 0);
  EXPECT_GT(testing::max_abs_diff(emg, read_array(dir / "own.npy")), 1e-4);
  expect_bad_input("predict --model " + kModel + " --pose-top " + kTop + " --pose-right " + kRight + " --midi " + kKeys +
                       " --out " + dir / "bad.npy",
                   dir / "bad.npy", kKeys, "no MThd");
  // Notes running on for 45 s against 3.5 s of pose are refused, not cut.
  const std::string long_midi = testing::fixture("midi/04-FrereJacques.mid");
  expect_bad_input("predict --model " + kModel + " --pose-top " + kTop + " --pose-right " + kRight + " --midi " + long_midi +
                       " --out " + dir / "bad.npy",
                   dir / "bad.npy", long_midi, "but the other streams last 3.50 s");
  std::string cut = testing::read_bytes(long_midi);
  cut[21] = 0x7F;  // first track claims more bytes than the file has
  testing::write_bytes(dir / "cut.mid", cut);
  expect_bad_input("predict --model " + kModel + " --pose-top " + kTop + " --pose-right " + kRight + " --midi " +
                       dir / "cut.mid" + " --out " + dir / "bad.npy",
                   dir / "bad.npy", dir / "cut.mid", "claims");
  testing::write_bytes(dir / "running.mid", std::string("MThd\0\0\0\6\0\0\0\1\0\x60MTrk\0\0\0\3\0\x3c\x40", 25));
  expect_bad_input("predict --model " + kModel + " --pose-top " + kTop + " --pose-right " + kRight + " --midi " +
                       dir / "running.mid" + " --out " + dir / "bad.npy",
                   dir / "bad.npy", dir / "running.mid", "running status with no previous status");
}

}  // namespace
}  // namespace pianokpm
