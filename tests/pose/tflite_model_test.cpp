// The TFLite reader and graph on MediaPipe Hands' four models (fetched by scripts/setup.sh), and
// on malformed copies of them. Reference figures: the model files' published tensor table, parsed by a separate reader.
#include <fstream>
#include <iterator>
#include <map>

#include <nlohmann/json.hpp>

#include "core/input_error.h"
#include "pose/flatbuffer_view.h"
#include "pose/tflite_graph.h"
#include "pose/tflite_model.h"
#include "test_support.h"

namespace pianokpm::pose {
namespace {

std::string model_path(const std::string& name) { return std::string(PIANOKPM_MEDIAPIPE_MODELS) + "/" + name + ".tflite"; }

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + " is missing: run scripts/setup.sh (it fetches MediaPipe's models)");
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Expected {
  const char* name;
  int64_t fp16_values;
  std::map<TfliteOpKind, int> ops;
};

const Expected kModels[] = {
    {"palm_detection_full",
     1132536,
     {{TfliteOpKind::kDequantize, 133},
      {TfliteOpKind::kConv2d, 35},
      {TfliteOpKind::kDepthwiseConv2d, 28},
      {TfliteOpKind::kAdd, 30},
      {TfliteOpKind::kPrelu, 31},
      {TfliteOpKind::kMaxPool2d, 4},
      {TfliteOpKind::kPad, 3},
      {TfliteOpKind::kResizeBilinear, 2},
      {TfliteOpKind::kReshape, 4},
      {TfliteOpKind::kConcatenation, 2}}},
    {"palm_detection_lite",
     960088,
     {{TfliteOpKind::kDequantize, 113},
      {TfliteOpKind::kConv2d, 30},
      {TfliteOpKind::kDepthwiseConv2d, 23},
      {TfliteOpKind::kAdd, 25},
      {TfliteOpKind::kPrelu, 26},
      {TfliteOpKind::kMaxPool2d, 4},
      {TfliteOpKind::kPad, 3},
      {TfliteOpKind::kResizeBilinear, 2},
      {TfliteOpKind::kReshape, 4},
      {TfliteOpKind::kConcatenation, 2}}},
    {"hand_landmark_full",
     2715680,
     {{TfliteOpKind::kDequantize, 102},
      {TfliteOpKind::kConv2d, 31},
      {TfliteOpKind::kDepthwiseConv2d, 16},
      {TfliteOpKind::kAdd, 9},
      {TfliteOpKind::kMean, 1},
      {TfliteOpKind::kFullyConnected, 4},
      {TfliteOpKind::kLogistic, 2}}},
    {"hand_landmark_lite",
     1011712,
     {{TfliteOpKind::kDequantize, 102},
      {TfliteOpKind::kConv2d, 31},
      {TfliteOpKind::kDepthwiseConv2d, 16},
      {TfliteOpKind::kAdd, 10},
      {TfliteOpKind::kMaxPool2d, 1},
      {TfliteOpKind::kMean, 1},
      {TfliteOpKind::kFullyConnected, 4},
      {TfliteOpKind::kLogistic, 2}}},
};

TEST(TfliteModel, OperatorCountsAndWeightsMatchTheReferenceFigures) {
  for (const Expected& e : kModels) {
    SCOPED_TRACE(e.name);
    const TfliteModel m = read_tflite(model_path(e.name));
    std::map<TfliteOpKind, int> ops;
    for (const auto& op : m.operators) ++ops[op.kind];
    EXPECT_EQ(ops, e.ops);
    int64_t fp16 = 0;
    for (const auto& t : m.tensors)
      if (t.type == TfliteType::kFloat16 && t.is_constant()) fp16 += static_cast<int64_t>(t.data.size() / 2);
    EXPECT_EQ(fp16, e.fp16_values);
    EXPECT_EQ(m.description, "MLIR Converted.");
  }
}

TEST(TfliteGraph, PalmDetectorShapes) {
  const TfliteGraph g = TfliteGraph::load(model_path("palm_detection_lite"));
  EXPECT_EQ(g.input_shape(0), (std::vector<int64_t>{1, 192, 192, 3}));
  const auto out = g.run({torch::rand({1, 192, 192, 3})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].sizes().vec(), (std::vector<int64_t>{1, 2016, 18}));
  EXPECT_EQ(out[1].sizes().vec(), (std::vector<int64_t>{1, 2016, 1}));
  EXPECT_TRUE(torch::isfinite(out[0]).all().item<bool>());
}

TEST(TfliteGraph, HandLandmarkShapesAndProbabilities) {
  const TfliteGraph g = TfliteGraph::load(model_path("hand_landmark_full"));
  const auto out = g.run({torch::rand({1, 224, 224, 3})});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].sizes().vec(), (std::vector<int64_t>{1, 63}));
  EXPECT_EQ(out[1].sizes().vec(), (std::vector<int64_t>{1, 1}));
  const float presence = out[1].item<float>(), handedness = out[2].item<float>();
  EXPECT_GE(presence, 0.f);
  EXPECT_LE(presence, 1.f);
  EXPECT_GE(handedness, 0.f);
  EXPECT_LE(handedness, 1.f);
}

TEST(TfliteGraph, WrongInputShapeIsRejected) {
  const TfliteGraph g = TfliteGraph::load(model_path("palm_detection_lite"));
  EXPECT_THROW(g.run({torch::rand({1, 100, 100, 3})}), std::invalid_argument);
}

TEST(TfliteModel, MalformedFilesGiveInputErrors) {
  const auto good = file_bytes(model_path("hand_landmark_lite"));
  auto expect_error = [](const std::vector<uint8_t>& bytes, const std::string& needle) {
    try {
      TfliteGraph(parse_tflite(bytes, "bad.tflite"), "bad.tflite");
      ADD_FAILURE() << "accepted a malformed model (" << needle << ")";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("bad.tflite"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error({}, "not a TFLite model");
  expect_error(std::vector<uint8_t>(good.begin(), good.begin() + 4096), "past the end");
  std::vector<uint8_t> garbage(good.begin(), good.begin() + 8);
  garbage.resize(64, 0xFF);
  expect_error(garbage, "malformed");
  // Every truncation point in the first part of the file is an error, never a crash.
  for (size_t cut = 8; cut < 2048; cut += 97) expect_error(std::vector<uint8_t>(good.begin(), good.begin() + cut), "bad.tflite");
}

TEST(TfliteModel, UnknownOperatorIsNamed) {
  auto bytes = file_bytes(model_path("hand_landmark_lite"));
  // Turn the first operator code into SOFTMAX (25), which these models never use.
  const FlatTable code = flat_root(bytes).vector(1, 4).table(0);
  const auto old_style = code.field_pos(0), new_style = code.field_pos(3);
  ASSERT_TRUE(old_style.has_value());
  bytes[*old_style] = 25;
  if (new_style) bytes[*new_style] = 25, bytes[*new_style + 1] = bytes[*new_style + 2] = bytes[*new_style + 3] = 0;
  try {
    parse_tflite(bytes, "softmax.tflite");
    ADD_FAILURE() << "accepted an unknown operator";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported TFLite operator (builtin code 25)"), std::string::npos) << e.what();
  }
}

TEST(TfliteGraph, TensorFlowSamePadding) {
  // TensorFlow's rule: 5x5 stride-2 SAME pads 1 before and 2 after on even sizes, 3x3 stride 2 pads 0 and 1,
  // stride-1 SAME is symmetric; VALID pads nothing.
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(tf_padding(192, 5, 2, true), P(1, 2));
  EXPECT_EQ(tf_padding(224, 3, 2, true), P(0, 1));
  EXPECT_EQ(tf_padding(48, 5, 1, true), P(2, 2));
  EXPECT_EQ(tf_padding(7, 3, 2, true), P(1, 1));  // odd size: out 4, total 2
  EXPECT_EQ(tf_padding(48, 5, 1, false), P(0, 0));
}

TEST(TfliteGraph, FuzzerFindingsAreInputErrors) {
  // Inputs that once crashed fuzz/tflite_fuzz, kept as regressions (four so far: an emptied
  // folder must not pass).
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::fixture("tflite/regressions"))) {
    SCOPED_TRACE(entry.path().string());
    EXPECT_THROW(TfliteGraph::load(entry.path().string()), InputError);
    ++files;
  }
  EXPECT_GE(files, 4u);
}

TEST(TfliteGraph, TinyModelsMatchPlainLoopArithmetic) {
  // Written by tests/fixtures/tflite/make_tiny_models.py, which also computed the expected outputs
  // with plain float64 loops over TFLite's definitions (NHWC, SAME padding, half-pixel resize).
  std::ifstream in(testing::fixture("tflite/tiny_models.json"));
  const nlohmann::json expected = nlohmann::json::parse(in);
  for (const std::string name : {"tiny_conv", "tiny_resize"}) {
    SCOPED_TRACE(name);
    const nlohmann::json& e = expected[name];
    const TfliteGraph g = TfliteGraph::load(testing::fixture("tflite/" + name + ".tflite"));
    const auto x = torch::tensor(e["input"].get<std::vector<float>>()).view(e["input_shape"].get<std::vector<int64_t>>());
    const auto out = g.run({x});
    ASSERT_EQ(out.size(), e["outputs"].size());
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].sizes().vec(), e["output_shapes"][i].get<std::vector<int64_t>>());
      const auto want = torch::tensor(e["outputs"][i].get<std::vector<double>>(), torch::kDouble);
      EXPECT_LT(testing::max_abs_diff(out[i].flatten(), want), 1e-5) << "output " << i;
    }
  }
}

}  // namespace
}  // namespace pianokpm::pose
