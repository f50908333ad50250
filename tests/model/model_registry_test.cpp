// Models by name: the registry's list, options with defaults and refusals, configs written
// before models had options of their own, and the docs naming every model.
#include <fstream>
#include <sstream>

#include "model/model_registry.h"
#include "test_support.h"

namespace pianokpm {
namespace {

ModelConfig small(const std::string& architecture) {
  ModelConfig c;
  c.architecture = architecture;
  c.num_views = 1;
  c.pose_rate_hz = 8;
  c.emg_rate_hz = 64;  // CodeTalker: a multiple of 2^5; NeuroPose: of 2^3
  return c;
}

TEST(ModelRegistry, ListsEveryModelOnceWithTheReleasedNetworkFirst) {
  const std::vector<std::string> names = model_names();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "pianokpm");
  for (const char* expected : {"linear_readout", "neuropose", "mean", "codetalker", "pose_tcn", "linear_regression"})
    EXPECT_EQ(std::count(names.begin(), names.end(), expected), 1) << expected;
  for (const ModelKind* kind : model_kinds()) EXPECT_FALSE(kind->summary.empty()) << kind->name;
}

TEST(ModelRegistry, AnUnknownNameIsRefusedWithTheList) {
  try {
    model_kind("neuropsoe");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'neuropsoe'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("pose_tcn"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ModelConfig::from_json({{"architecture", "neuropsoe"}}), std::invalid_argument);
}

// Every model: made from its name, the shape the interface promises, and its config read back
// from its own JSON gives the same JSON with every option written out.
TEST(ModelRegistry, EveryModelRunsAndItsConfigRoundTrips) {
  for (const std::string& name : model_names()) {
    const ModelConfig c = small(name);
    EmgModel net = make_model(c);
    const torch::Tensor pose = torch::rand({2, c.pose_channels(), c.pose_frames()});
    const torch::Tensor keys = torch::rand({2, c.num_keys, c.window_samples()});
    const torch::Tensor emg = net->forward(pose, keys);
    EXPECT_EQ(emg.sizes(), (std::vector<int64_t>{2, c.emg_channels, c.window_samples()})) << name;
    const nlohmann::json written = c.to_json();
    EXPECT_EQ(written.at("architecture"), name);
    EXPECT_EQ(ModelConfig::from_json(written).to_json(), written) << name;
    const nlohmann::json defaults = model_kind(name).complete_options(nlohmann::json::object(), c.layout());
    for (auto it = defaults.begin(); it != defaults.end(); ++it)
      EXPECT_EQ(written.at(it.key()), it.value()) << name << ": default of " << it.key() << " not written";
  }
}

TEST(ModelRegistry, OptionsKeepDefaultsAndRefuseUnknownOrBadFields) {
  ModelConfig c = small("pose_tcn");
  c.options = {{"width", 16}};
  const nlohmann::json j = c.to_json();
  EXPECT_EQ(j.at("width"), 16);
  EXPECT_EQ(j.at("dilations"), (std::vector<int>{1, 2, 4, 8, 1, 2, 4, 8}));  // the default, written out
  // the hyperparameter reaches the network: 16 channels in the stem
  EXPECT_EQ(make_model(c)->named_parameters()["stem.weight"].size(0), 16);
  auto error_of = [](const nlohmann::json& config) -> std::string {
    try {
      ModelConfig::from_json(config);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of({{"architecture", "pose_tcn"}, {"widht", 16}}).find("unknown field 'widht'"), std::string::npos);
  EXPECT_NE(error_of({{"architecture", "pose_tcn"}, {"width", 0}}).find("width must be >= 1"), std::string::npos);
  EXPECT_NE(error_of({{"architecture", "codetalker"}, {"codetalker", {{"heads", 3}}}}).find("codetalker.model_dim"),
            std::string::npos);
  EXPECT_NE(error_of({{"architecture", "linear_regression"}, {"kernel", 4}}).find("kernel must be odd"), std::string::npos);
}

// Configs written before models had options of their own carry the encoder's and decoder's
// fields whatever the architecture: they still load, and only the fields the model reads remain.
TEST(ModelRegistry, ConfigsFromBeforeOptionsStillLoad) {
  nlohmann::json old = ModelConfig().to_json();  // pianokpm's: every encoder and decoder field
  old["architecture"] = "neuropose";
  const ModelConfig neuropose = ModelConfig::from_json(old);
  EXPECT_EQ(neuropose.options, nlohmann::json::object());
  old["architecture"] = "linear_readout";
  const ModelConfig readout = ModelConfig::from_json(old);
  EXPECT_TRUE(readout.options.contains("hidden_channels"));
  EXPECT_FALSE(readout.options.contains("decoder_hidden"));
  // trained_on_synthetic_data became provenance.synthetic_data
  old["trained_on_synthetic_data"] = true;
  EXPECT_TRUE(ModelConfig::from_json(old).provenance.synthetic_data);
}

TEST(ModelRegistry, SwitchingArchitectureKeepsTheSharedOptions) {
  ModelConfig c;
  c.options = {{"hidden_channels", 16}, {"tds_channels", 4}, {"tds_width", 4}, {"decoder_hidden", 16}};
  c = ModelConfig::from_json(c.to_json());
  const ModelConfig readout = c.with_architecture("linear_readout");
  EXPECT_EQ(readout.options.at("hidden_channels"), 16);
  EXPECT_FALSE(readout.options.contains("decoder_hidden"));
  EXPECT_EQ(c.with_architecture("neuropose").options, nlohmann::json::object());
  EXPECT_NO_THROW(make_model(c.with_architecture("codetalker").with_architecture("pianokpm")));
}

// The README and docs/architecture.md name every model a user can train.
TEST(ModelRegistry, TheDocsNameEveryModel) {
  for (const char* page : {"/../../README.md", "/../../docs/architecture.md"}) {
    const std::string text = testing::read_bytes(std::string(PIANOKPM_FIXTURES) + page);
    ASSERT_FALSE(text.empty()) << page;
    for (const std::string& name : model_names())
      EXPECT_NE(text.find("`" + name + "`"), std::string::npos) << page << " does not name `" << name << "`";
  }
}

}  // namespace
}  // namespace pianokpm
