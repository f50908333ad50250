// A performance's inputs as the command line (lenient) and Python (strict) give them, read into
// the streams a model reads, with errors naming the inputs as the caller names them.
#include "predict/performance_inputs.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/input_error.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// Two seconds: keypoints [120, 21, 3] per view and key depth [2048, 88].
PerformanceInputs two_seconds_of_everything() {
  PerformanceInputs in;
  in.pose_top_array = torch::rand({120, 21, 3});
  in.pose_right_array = torch::rand({120, 21, 3});
  in.keys_array = torch::rand({2048, 88});
  return in;
}

PerformanceInputs named_as_in_python(PerformanceInputs in) {
  in.strict = true;
  in.pose_top_option = "pose_top";
  in.pose_right_option = "pose_right";
  in.keys_option = "keys";
  return in;
}

ModelConfig one_view_pose_model() {
  ModelConfig c;
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  return c;
}

// The InputError `read` throws: its source and message.
std::pair<std::string, std::string> input_error(const std::function<void()>& read) {
  try {
    read();
  } catch (const InputError& e) {
    return {e.source(), e.what()};
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

TEST(PerformanceInputs, TheCommandLineReadsOnlyWhatTheModelReads) {
  const AssembledInputs got = read_performance_inputs(two_seconds_of_everything(), one_view_pose_model());
  EXPECT_EQ(got.streams.pose.sizes(), (std::vector<int64_t>{120, 42}));
  EXPECT_FALSE(got.streams.keys.defined());
  EXPECT_TRUE(got.videos.empty());
  const AssembledInputs both = read_performance_inputs(two_seconds_of_everything(), ModelConfig());
  EXPECT_EQ(both.streams.pose.sizes(), (std::vector<int64_t>{120, 84}));
  EXPECT_EQ(both.streams.keys.sizes(), (std::vector<int64_t>{2048, 88}));
}

TEST(PerformanceInputs, PythonIsToldOfEveryStreamTheModelDoesNotRead) {
  PerformanceInputs in = named_as_in_python(two_seconds_of_everything());
  const ModelConfig c = one_view_pose_model();
  std::pair<std::string, std::string> error = input_error([&] { read_performance_inputs(in, c); });
  EXPECT_EQ(error.first, "keys");
  EXPECT_NE(error.second.find("reads no keystrokes"), std::string::npos) << error.second;
  in.keys_array = torch::Tensor();
  error = input_error([&] { read_performance_inputs(in, c); });
  EXPECT_EQ(error.first, "pose_top/pose_right") << error.second;  // a second view for a one-view model
  in.pose_right_array = torch::Tensor();
  EXPECT_EQ(read_performance_inputs(in, c).streams.pose.sizes(), (std::vector<int64_t>{120, 42}));
  ModelConfig keys_only;
  keys_only.modality = Modality::kKeysOnly;
  error = input_error([&] { read_performance_inputs(in, keys_only); });
  EXPECT_EQ(error.first, "pose_top");
  EXPECT_NE(error.second.find("reads no pose"), std::string::npos) << error.second;
}

TEST(PerformanceInputs, AMissingViewIsNamedAsTheCallerNamesIt) {
  PerformanceInputs in = two_seconds_of_everything();
  in.pose_right_array = torch::Tensor();
  std::pair<std::string, std::string> error = input_error([&] { read_performance_inputs(in, ModelConfig()); });
  EXPECT_EQ(error.first, "--pose-right");
  EXPECT_NE(error.second.find("--video-right"), std::string::npos) << error.second;
  error = input_error([&] { read_performance_inputs(named_as_in_python(in), ModelConfig()); });
  EXPECT_EQ(error.first, "pose_top/pose_right");
  EXPECT_NE(error.second.find("needs 2 pose view"), std::string::npos) << error.second;
  in.pose_top_array = torch::Tensor();
  EXPECT_EQ(input_error([&] { read_performance_inputs(named_as_in_python(in), ModelConfig()); }).first, "pose_top");
}

TEST(PerformanceInputs, FamiliarityReadsThePoseAlone) {
  const PerformanceInputs in = named_as_in_python(two_seconds_of_everything());
  EXPECT_EQ(read_pose_stream(in, ModelConfig()).sizes(), (std::vector<int64_t>{120, 84}));
  ModelConfig keys_only;
  keys_only.modality = Modality::kKeysOnly;
  EXPECT_EQ(input_error([&] { read_pose_stream(in, keys_only); }).first, "pose_top");
}

TEST(PerformanceInputs, TheShippedModelFollowsTheInputsGiven) {
  PerformanceInputs in;
  in.pose_top = "top.pkl";
  EXPECT_EQ(default_model_for(in, "models"), "models/synthetic_any_camera.pt");
  in.midi = "song.mid";
  EXPECT_EQ(default_model_for(in, "models"), "models/synthetic_any_camera_keys.pt");
  in.video_right = "right.mp4";
  EXPECT_EQ(default_model_for(in, "models"), "models/synthetic_pianokpm.pt");
}

TEST(PerformanceInputs, AVideoWithoutOpenCvIsAnInputErrorNamingIt) {
#ifdef PIANOKPM_HAVE_OPENCV
  GTEST_SKIP() << "this build tracks videos (tests/cli/see_muscles_cli_test.cpp)";
#else
  PerformanceInputs in;
  in.video_top = "clip.mp4";
  EXPECT_EQ(input_error([&] { read_performance_inputs(in, one_view_pose_model()); }).first, "clip.mp4");
#endif
}

}  // namespace
}  // namespace pianokpm
