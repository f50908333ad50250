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

// The model's config with what training on the fixture hand would leave: a familiarity reference
// of hand_windows() (the even windows as reference, the odd ones held out).
ModelConfig trained_on_fixture_hand(ModelConfig c) {
  const torch::Tensor descriptors = window_descriptors(pose_features(c, hand_windows()));  // 13 windows
  c.familiarity =
      fit_familiarity(descriptors.index_select(0, torch::arange(0, 13, 2)), descriptors.index_select(0, torch::arange(1, 13, 2)));
  return c;
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
  ModelConfig c = trained_on_fixture_hand(hybrid_config());
  const torch::Tensor train = hand_windows();
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
  const torch::Tensor unfamiliar = testing::real_hand_window();
  EXPECT_EQ(hybrid.trust(unfamiliar).item<double>(), 0.0);
  EXPECT_LT((net->forward(unfamiliar, {}) - estimator->forward(unfamiliar, {})).abs().max().item<double>(), 1e-6);
  // trust_familiarity 0: the network everywhere
  c.options["trust_familiarity"] = 0.0;
  torch::manual_seed(3);
  EmgModel always = make_model(c);
  EXPECT_GT((always->forward(unfamiliar, {}) - estimator->forward(unfamiliar, {})).abs().max().item<double>(), 1e-3);
}

// The window [1, 42, F] with each frame's index and little knuckles set `width_over_length` of the
// wrist -> middle knuckle length apart, across that line at 0.9 of it.
torch::Tensor with_palm_aspect(torch::Tensor window, double width_over_length) {
  window = window.to(torch::kDouble).clone();
  auto a = window.accessor<double, 3>();
  for (int64_t f = 0; f < window.size(2); ++f) {
    const double ux = a[0][18][f] - a[0][0][f], uy = a[0][19][f] - a[0][1][f];  // wrist (0) -> middle knuckle (9)
    const double half = 0.5 * width_over_length;
    for (const auto& [k, side] : {std::pair{5, 1.0}, std::pair{17, -1.0}}) {
      a[0][2 * k][f] = a[0][0][f] + 0.9 * ux - side * half * uy;
      a[0][2 * k + 1][f] = a[0][1][f] + 0.9 * uy + side * half * ux;
    }
  }
  return window.to(torch::kFloat);
}

TEST(AnatomyTcn, WhereThePalmIsTiltedFromTheImageTheEstimateStandsAside) {
  ModelConfig c = trained_on_fixture_hand(hybrid_config());
  torch::manual_seed(3);
  EmgModel net = make_model(c);
  auto& hybrid = dynamic_cast<AnatomyTcnNetImpl&>(*net);
  torch::NoGradGuard no_grad;
  const torch::Tensor window = testing::real_hand_window();
  const double square = 0.66, deg = M_PI / 180;
  // The default square aspect 0.66: a palm as wide as that is square to the camera; one tilted by
  // 35 deg, half-way from the estimate's 30 to the network's 40, looks wider (its length
  // foreshortened: 0.66 / cos 35) or narrower (its width: 0.66 cos 35). Familiarity is 0 in all.
  EXPECT_NEAR(hybrid.trust(with_palm_aspect(window, square)).item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(hybrid.trust(with_palm_aspect(window, square / std::cos(35 * deg))).item<double>(), 0.5, 1e-6);
  EXPECT_NEAR(hybrid.trust(with_palm_aspect(window, square * std::cos(35 * deg))).item<double>(), 0.5, 1e-6);
  EXPECT_NEAR(hybrid.trust(with_palm_aspect(window, square / std::cos(45 * deg))).item<double>(), 1.0, 1e-9);
  // No hand in the window (a lost track, all keypoints 0): nothing tilted, the estimate (at rest).
  const torch::Tensor lost = torch::zeros_like(window);
  EXPECT_EQ(hybrid.trust(lost).item<double>(), 0.0);
  // The photographed hand seen from in front and above, as a music-stand camera would (its length
  // foreshortened to 60%): the network's output, not the estimate.
  const torch::Tensor squashed = testing::foreshortened_along_palm(window, 0.6);
  EXPECT_EQ(hybrid.trust(squashed).item<double>(), 1.0);
  c.options["trust_familiarity"] = 0.0;
  torch::manual_seed(3);
  EmgModel always = make_model(c);
  EXPECT_LT((net->forward(squashed, {}) - always->forward(squashed, {})).abs().max().item<double>(), 1e-6);
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
  EXPECT_THROW(kind.complete_options({{"square_palm_aspect", 0.0}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"estimate_full_tilt_deg", 50.0}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"estimate_none_tilt_deg", 91.0}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"anatomy", {{"tonic", 2.0}}}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"anatomy", {{"tonik", 0.1}}}}, c.layout()), std::invalid_argument);
  EXPECT_THROW(kind.complete_options({{"widht", 16}}, c.layout()), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
