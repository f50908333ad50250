#include <fmt/format.h>
#include <fmt/ranges.h>

#include "io/array_file.h"
#include "core/input_error.h"
#include "model/checkpoint.h"
#include "model/model_registry.h"
#include "model/pianokpm_net.h"
#include "model/state_dict.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::max_abs_diff;
using testing::official;

constexpr double kTolerance = 1e-5;  // bound on max abs error vs the official outputs (README: 1.6e-6 measured)

// The released network itself, for its parts (encoder, decoder).
std::shared_ptr<PianoKpmNetImpl> official_net() {
  return std::dynamic_pointer_cast<PianoKpmNetImpl>(load_model(official("state_dict.pth")).net);
}

TEST(PianoKpmNet, ReleasedConfigurationHasThePublishedParameterCount) {
  EmgModel net = make_model(ModelConfig{});
  int64_t n = 0;
  for (const auto& p : net->parameters()) n += p.numel();
  EXPECT_EQ(n, 3706502);
}

TEST(PianoKpmNet, EncoderReproducesOfficialFeatures) {
  auto net = official_net();
  torch::NoGradGuard no_grad;
  auto features = net->encoder()->forward(read_array(official("pose_bct.npy")), read_array(official("keys_bct.npy")));
  auto expected = read_array(official("features_bct.npy"));
  ASSERT_EQ(features.sizes(), expected.sizes());
  EXPECT_LE(max_abs_diff(features, expected), kTolerance);
}

TEST(PianoKpmNet, DecoderReproducesOfficialEmg) {
  auto net = official_net();
  torch::NoGradGuard no_grad;
  auto emg = net->decoder()->forward(read_array(official("features_bct.npy")));
  auto expected = read_array(official("emg_bct.npy"));
  ASSERT_EQ(emg.sizes(), expected.sizes());
  EXPECT_LE(max_abs_diff(emg, expected), kTolerance);
  // Not trivially small: the reference has real amplitude.
  EXPECT_GT(expected.abs().max().item<double>(), 0.1);
}

TEST(PianoKpmNet, WholeNetworkReproducesOfficialEmg) {
  auto net = official_net();
  torch::NoGradGuard no_grad;
  auto emg = net->forward(read_array(official("pose_bct.npy")), read_array(official("keys_bct.npy")));
  EXPECT_LE(max_abs_diff(emg, read_array(official("emg_bct.npy"))), kTolerance);
}

// Streaming (predict/stream_predictor.h) computes a hop's newest samples from the inputs' last
// samples + receptive field: the release's own features there, whatever the cut.
TEST(PianoKpmNet, EncoderTailIsTheOfficialFeaturesLastColumns) {
  auto net = official_net();
  torch::NoGradGuard no_grad;
  // Half-widths of the release's kernels: front 11, 5; stage 1 conv 17, TDS 9 twice; stage 2 conv 9, TDS 5 twice.
  EXPECT_EQ(net->encoder()->context_samples(), 5 + 2 + 8 + 2 * 4 + 4 + 2 * 2);
  const auto pose = read_array(official("pose_bct.npy")), keys = read_array(official("keys_bct.npy"));
  const auto expected = read_array(official("features_bct.npy"));
  const int64_t window = expected.size(2);
  for (int64_t samples : {int64_t{1}, int64_t{34}, int64_t{103}, window - 40, window}) {
    const auto tail = net->encoder()->forward_tail(pose, keys, samples);
    ASSERT_EQ(tail.size(2), samples);
    EXPECT_LE(max_abs_diff(tail, expected.narrow(2, window - samples, samples)), kTolerance) << samples << " samples";
  }
  EXPECT_THROW(net->encoder()->forward_tail(pose, keys, 0), std::invalid_argument);
  EXPECT_THROW(net->encoder()->forward_tail(pose, keys, window + 1), std::invalid_argument);
}

// The decoder continued from any sample of the release's output gives the rest of that output.
TEST(PianoKpmNet, DecoderContinuedFromAnOfficialSampleGivesTheRestOfTheOfficialEmg) {
  auto net = official_net();
  torch::NoGradGuard no_grad;
  const auto features = read_array(official("features_bct.npy"));
  const auto expected = read_array(official("emg_bct.npy"));
  const int64_t window = expected.size(2), batch = expected.size(0);
  const auto from_zero = net->decoder()->forward_from(features, torch::zeros({batch, expected.size(1)}));
  EXPECT_LE(max_abs_diff(from_zero, expected), kTolerance);
  for (int64_t k : {int64_t{1}, int64_t{500}, window - 103}) {
    const auto rest = net->decoder()->forward_from(features.narrow(2, k, window - k), expected.select(2, k - 1));
    EXPECT_LE(max_abs_diff(rest, expected.narrow(2, k, window - k)), kTolerance) << "from sample " << k;
  }
  EXPECT_THROW(net->decoder()->forward_from(features, torch::zeros({batch, 5})), std::invalid_argument);
}

TEST(StateDict, AliasNamesMapToTheirCanonicalTensors) {
  ModelConfig c;
  EXPECT_EQ(canonical_tensor_name("network.pose_tds.1.conv.0.weight", c), "network.pose_conv.1.conv.0.weight");
  EXPECT_EQ(canonical_tensor_name("network.key_tds.3.linear_layer.bias", c), "network.tds_stages.1.linear_layer.bias");
  EXPECT_EQ(canonical_tensor_name("decoder.mlp.0.weight", c), "decoder.mlp.0.weight");
}

TEST(StateDict, OfficialFileHoldsEveryListedNameAliasesIncluded) {
  auto tensors = read_torch_state_dict(official("state_dict.pth"));
  std::ifstream list(official("state_dict_keys.txt"));
  std::string name, shape;
  size_t listed = 0;
  std::map<std::string, torch::Tensor> by_name(tensors.begin(), tensors.end());
  while (list >> name && std::getline(list, shape)) {
    ++listed;
    EXPECT_TRUE(by_name.count(name)) << name;
  }
  EXPECT_EQ(listed, tensors.size());
}

void expect_load_error(const NamedTensors& tensors, const std::string& fragment) {
  EmgModel net = make_model(ModelConfig{});
  try {
    load_named_tensors(net, tensors, "model.pth");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("model.pth"), std::string::npos) << e.what();
  }
}

TEST(StateDict, MissingExtraMisshapenAndInconsistentTensorsAreNamed) {
  const auto good = read_torch_state_dict(official("state_dict.pth"));
  auto without = [&](const std::string& name) {
    NamedTensors t;
    for (const auto& p : good)
      if (p.first != name) t.push_back(p);
    return t;
  };
  expect_load_error(without("decoder.mlp.3.weight"), "missing tensor 'decoder.mlp.3.weight'");
  // A tensor supplied only under its alias name still loads.
  EXPECT_NO_THROW({
    EmgModel net = make_model(ModelConfig{});
    load_named_tensors(net, without("network.pose_conv.0.conv.0.weight"), "model.pth");
  });

  auto extra = good;
  extra.emplace_back("decoder.mlp.9.weight", torch::zeros({6}));
  expect_load_error(extra, "unexpected tensor 'decoder.mlp.9.weight'");

  auto misshapen = good;
  for (auto& [name, t] : misshapen)
    if (name == "decoder.mlp.6.bias") t = torch::zeros({7});
  expect_load_error(misshapen, "tensor 'decoder.mlp.6.bias' has shape [7], expected [6]");

  auto inconsistent = good;
  for (auto& [name, t] : inconsistent)
    if (name == "network.key_tds.0.norm.bias") t = t + 1;
  expect_load_error(inconsistent, "must alias");
}

TEST(StateDict, CorruptAndTruncatedCheckpointsAreInputErrors) {
  testing::ScratchDir dir;
  const std::string bytes = testing::read_bytes(official("state_dict.pth"));
  testing::write_bytes(dir / "cut.pth", bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(load_model(dir / "cut.pth"), InputError);
  testing::write_bytes(dir / "junk.pth", "this is not a zip file");
  EXPECT_THROW(load_model(dir / "junk.pth"), InputError);
  EXPECT_THROW(load_model(dir / "absent.pth"), InputError);
}

class Modalities : public ::testing::TestWithParam<Modality> {};

TEST_P(Modalities, SaveLoadRoundTripKeepsConfigWeightsAndOutputs) {
  torch::manual_seed(7);
  ModelConfig c;
  c.modality = GetParam();
  EmgModel net = make_model(c);
  testing::ScratchDir dir;
  save_checkpoint(dir / "m.pt", net, {{"note", "test"}});
  LoadedModel loaded = load_model(dir / "m.pt");
  EXPECT_EQ(loaded.format, "pianokpm");
  EXPECT_EQ(loaded.net->config().modality, c.modality);
  EXPECT_EQ(loaded.metadata.at("note"), "test");

  torch::NoGradGuard no_grad;
  auto pose = uses_pose(c.modality) ? torch::randn({1, 84, 60}) : torch::Tensor();
  auto keys = uses_keys(c.modality) ? torch::rand({1, 88, 1024}) : torch::Tensor();
  net->eval();
  loaded.net->eval();
  EXPECT_TRUE(torch::equal(net->forward(pose, keys), loaded.net->forward(pose, keys)));
  // The absent branch has no weights at all.
  for (const auto& p : loaded.net->named_parameters()) {
    if (!uses_pose(c.modality)) {
      EXPECT_EQ(p.key().find("pose_conv"), std::string::npos);
    }
    if (!uses_keys(c.modality)) {
      EXPECT_EQ(p.key().find("key_conv"), std::string::npos);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, Modalities, ::testing::Values(Modality::kPoseAndKeys, Modality::kPoseOnly, Modality::kKeysOnly));

TEST(ModelConfig, JsonRoundTripAndChecks) {
  ModelConfig c;
  c.modality = Modality::kKeysOnly;
  EXPECT_EQ(ModelConfig::from_json(c.to_json()).to_json(), c.to_json());
  EXPECT_THROW(ModelConfig::from_json({{"hiden_channels", 3}}), std::invalid_argument);
  EXPECT_THROW(ModelConfig::from_json({{"tds_width", 15}}), std::invalid_argument);
  EXPECT_THROW(ModelConfig::from_json({{"modality", "video"}}), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm

namespace pianokpm {
namespace {

TEST(ModelConfig, ShippedConfigFileIsTheReleasedConfiguration) {
  const auto text = testing::read_bytes(std::string(PIANOKPM_FIXTURES) + "/../../configs/model.json");
  EXPECT_EQ(ModelConfig::from_json(nlohmann::json::parse(text)).to_json(), ModelConfig{}.to_json());
}

TEST(StateDict, ReleaseStateDictHasTheReleasesNamesShapesAndOrder) {
  EmgModel net = make_model(ModelConfig{});
  const NamedTensors ours = release_state_dict(net);
  std::ifstream list(official("state_dict_keys.txt"));
  std::string name, shape;
  size_t i = 0;
  while (list >> name && std::getline(list, shape)) {
    ASSERT_LT(i, ours.size());
    EXPECT_EQ(ours[i].first, name) << "entry " << i;
    EXPECT_EQ(" " + fmt::format("[{}]", fmt::join(ours[i].second.sizes(), ", ")), shape) << name;
    ++i;
  }
  EXPECT_EQ(i, ours.size());
  // Loading the official file and taking its release state dict gives back its tensors.
  const NamedTensors official_tensors = read_torch_state_dict(official("state_dict.pth"));
  load_named_tensors(net, official_tensors, "state_dict.pth");
  const NamedTensors again = release_state_dict(net);
  for (size_t k = 0; k < official_tensors.size(); ++k)
    EXPECT_TRUE(torch::equal(again[k].second, official_tensors[k].second)) << again[k].first;
}

TEST(StateDict, PoseOnlyModelsHaveNoKeyPathAndBaselinesNoReleaseNames) {
  ModelConfig c;
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  EmgModel pose = make_model(c);
  for (const auto& [name, t] : release_state_dict(pose)) EXPECT_EQ(name.find("key_"), std::string::npos) << name;
  c.architecture = "neuropose";
  EmgModel neuropose = make_model(c);
  EXPECT_THROW(release_state_dict(neuropose), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
