// The learned network with the anatomical estimate beside it: its output is the same for any camera
// placement; where a window is unfamiliar the network is set aside and the estimate, which ranks
// the muscles as anatomy does, is what comes out.
#include "model/anatomy_tcn.h"

#include "model/familiarity.h"
#include "model/hand_poses.h"
#include "model/model_registry.h"
#include "model/pose_front_end.h"
#include "test_support.h"

namespace pianokpm {
namespace {

ModelConfig hybrid_config() {
  ModelConfig c;
  c.architecture = "anatomy_tcn";
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  c.pose.frame = PoseFrame::kHand;
  c.options = model_kind("anatomy_tcn").complete_options(nlohmann::json::object(), c.layout());
  return c;
}

// Windows of the fixture hand starting every 10 frames: pose [W, 42, 60] float32 pixels.
torch::Tensor hand_windows() {
  std::vector<torch::Tensor> w;
  for (int64_t first = 0; first + 60 <= 180; first += 10) w.push_back(testing::synthetic_top_view_hand(first, 60));
  return torch::cat(w, 0);
}

ModelConfig estimator_config(const ModelConfig& c) {
  ModelConfig estimator = c;
  estimator.architecture = "anatomical";
  estimator.options = model_kind("anatomical").complete_options(nlohmann::json::object(), c.layout());
  estimator.familiarity = {};
  return estimator;
}

TEST(AnatomyTcn, AnyCameraPlacementGivesTheSameOutput) {
  const ModelConfig c = hybrid_config();
  torch::manual_seed(3);
  EmgModel net = make_model(c);
  const torch::Tensor pose = hand_windows().narrow(0, 0, 2);
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = net->forward(pose.to(torch::kDouble).to(torch::kFloat), {});
  for (const bool mirror : {false, true}) {
    const torch::Tensor other = testing::moved(pose, 0.6, 37, 240, -75, mirror).to(torch::kFloat);
    EXPECT_LT((net->forward(other, {}) - expected).abs().max().item<double>(), 1e-5) << "mirror " << mirror;
  }
}

TEST(AnatomyTcn, AnUnfamiliarWindowGetsTheEstimateAlone) {
  ModelConfig c = hybrid_config();
  // What training on the fixture hand would leave: a familiarity reference of its windows.
  const torch::Tensor train = hand_windows();  // 13 windows
  const torch::Tensor descriptors = window_descriptors(pose_features(c, train));
  c.familiarity =
      fit_familiarity(descriptors.index_select(0, torch::arange(0, 13, 2)), descriptors.index_select(0, torch::arange(1, 13, 2)));
  torch::manual_seed(3);
  EmgModel net = make_model(c);
  EmgModel estimator = make_model(estimator_config(c));
  auto& hybrid = dynamic_cast<AnatomyTcnNetImpl&>(*net);
  torch::NoGradGuard no_grad;
  // A training window: the network's output alone, not the estimate.
  const torch::Tensor familiar = train.narrow(0, 2, 1);
  EXPECT_DOUBLE_EQ(hybrid.trust(familiar).item<double>(), 1.0);
  EXPECT_GT((net->forward(familiar, {}) - estimator->forward(familiar, {})).abs().max().item<double>(), 1e-3);
  // A real hand (tests/fixtures/hands/finger_moves.npy: a flat hand in a photograph, its index
  // finger swung sideways): nothing like the training hand, so the estimator's envelope exactly.
  const torch::Tensor real = read_array(testing::fixture("hands/finger_moves.npy")).to(torch::kFloat);  // [11, 179, 42]
  const torch::Tensor unfamiliar = real[1].narrow(0, 60, 60).t().unsqueeze(0).contiguous();
  EXPECT_EQ(hybrid.trust(unfamiliar).item<double>(), 0.0);
  EXPECT_LT((net->forward(unfamiliar, {}) - estimator->forward(unfamiliar, {})).abs().max().item<double>(), 1e-6);
  // trust_familiarity 0: the network everywhere
  c.options["trust_familiarity"] = 0.0;
  torch::manual_seed(3);
  EmgModel always = make_model(c);
  EXPECT_GT((always->forward(unfamiliar, {}) - estimator->forward(unfamiliar, {})).abs().max().item<double>(), 1e-3);
}

TEST(AnatomyTcn, OptionsNestTheEstimatorsAndRefuseBadOnes) {
  const ModelConfig c = hybrid_config();
  const nlohmann::json j = c.to_json();
  EXPECT_EQ(j.at("width"), 128);
  EXPECT_EQ(j.at("anatomy").at("tonic"), 0.045);
  EXPECT_EQ(j.at("trust_familiarity"), 0.01);
  EXPECT_EQ(ModelConfig::from_json(j).to_json(), j);
  const auto& kind = model_kind("anatomy_tcn");
  EXPECT_THROW(kind.complete_options({{"trust_familiarity", 2.0}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"anatomy", {{"tonic", 2.0}}}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"anatomy", {{"tonik", 0.1}}}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"widht", 16}}, c.layout()), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
