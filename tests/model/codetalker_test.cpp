// The CodeTalker-style baseline's parts against hand-computed references: the quantiser against a
// brute-force nearest-code search in float64, the code predictor's causality, the stage split of
// its parameters, and that each stage's loss falls when trained on it.
#include "model/baselines/codetalker.h"
#include "model/model_registry.h"
#include "test_support.h"

namespace pianokpm {
namespace {

ModelConfig small_codetalker() {
  ModelConfig c;
  c.architecture = "codetalker";
  c.num_views = 1;
  c.pose_rate_hz = 12;
  c.emg_rate_hz = 64;
  CodeTalkerOptions o;
  o.downsample_log2 = 3;  // 8 codes per window
  o.codebook_size = 16;
  o.code_dim = 8;
  o.vae_channels = 16;
  o.model_dim = 16;
  o.heads = 2;
  o.feedforward = 32;
  c.options = o.to_json();
  return c;
}

std::shared_ptr<CodeTalkerNetImpl> make_codetalker(const ModelConfig& c) {
  return std::dynamic_pointer_cast<CodeTalkerNetImpl>(make_model(c));
}

TEST(CodeTalker, FactoryMakesItAndOutputsHaveTheContractShapes) {
  torch::manual_seed(1);
  const ModelConfig c = small_codetalker();
  auto net = make_codetalker(c);
  ASSERT_TRUE(net);
  torch::NoGradGuard no_grad;
  const auto pose = torch::rand({3, c.pose_channels(), c.pose_frames()}), keys = torch::rand({3, 88, c.window_samples()});
  EXPECT_EQ(net->forward(pose, keys).sizes(), (std::vector<int64_t>{3, 6, 64}));
  const auto codes = net->predict_codes(pose, keys);
  EXPECT_EQ(codes.sizes(), (std::vector<int64_t>{3, 8}));
  EXPECT_GE(codes.min().item<int64_t>(), 0);
  EXPECT_LT(codes.max().item<int64_t>(), 16);
  // The EMG is the stage-1 decoder's rendering of exactly those codes.
  EXPECT_TRUE(torch::allclose(net->forward(pose, keys), net->codes_to_emg(codes)));
}

TEST(CodeTalker, QuantiserPicksTheNearestCodeAndItsLossIsTheHandFormula) {
  torch::manual_seed(2);
  const ModelConfig c = small_codetalker();
  auto net = make_codetalker(c);
  net->to(torch::kDouble);
  torch::Tensor codebook;
  for (const auto& p : net->named_parameters())
    if (p.key() == "codebook") codebook = p.value();
  ASSERT_TRUE(codebook.defined());
  const auto z = (torch::randn({2, 8, 5}, torch::kDouble) * 0.1).requires_grad_();
  const auto q = net->quantise(z);
  double expected_sq = 0;
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t t = 0; t < 5; ++t) {
      int64_t best = -1;
      double best_d = 1e300;
      for (int64_t k = 0; k < 16; ++k) {
        double d = 0;
        for (int64_t i = 0; i < 8; ++i) {
          const double diff = z[b][i][t].item<double>() - codebook[k][i].item<double>();
          d += diff * diff;
        }
        if (d < best_d) best_d = d, best = k;
      }
      EXPECT_EQ(q.codes[b][t].item<int64_t>(), best) << b << "," << t;
      expected_sq += best_d;
      // The quantised vector is the code itself (its value), whatever the gradient path.
      for (int64_t i = 0; i < 8; ++i) EXPECT_NEAR(q.vectors[b][i][t].item<double>(), codebook[best][i].item<double>(), 1e-12);
    }
  }
  // codebook term + commitment term, both the mean squared distance: (1 + beta) * mean.
  EXPECT_NEAR(q.vq_loss.item<double>(), (1 + CodeTalkerOptions().commitment) * expected_sq / (2 * 5 * 8), 1e-12);
  // Straight-through: d(sum of vectors)/dz is one everywhere.
  q.vectors.sum().backward();
  EXPECT_TRUE(torch::allclose(z.grad(), torch::ones_like(z)));
}

TEST(CodeTalker, CodeLogitsAtAStepDoNotDependOnLaterCodes) {
  torch::manual_seed(3);
  const ModelConfig c = small_codetalker();
  auto net = make_codetalker(c);
  torch::NoGradGuard no_grad;
  const auto pose = torch::rand({2, c.pose_channels(), c.pose_frames()}), keys = torch::rand({2, 88, c.window_samples()});
  const auto codes = torch::randint(16, {2, 8}, torch::kLong);
  const auto logits = net->code_logits(pose, keys, codes);
  auto changed = codes.clone();
  changed.narrow(1, 4, 4).fill_(0);  // codes 4..7: only logits 5..7 may see them (step t sees codes < t)
  const auto again = net->code_logits(pose, keys, changed);
  EXPECT_TRUE(torch::allclose(logits.narrow(1, 0, 5), again.narrow(1, 0, 5), 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(logits.narrow(1, 5, 3), again.narrow(1, 5, 3), 1e-5, 1e-6));
  // Greedy prediction agrees with teacher forcing on its own output.
  const auto predicted = net->predict_codes(pose, keys);
  EXPECT_TRUE(torch::equal(net->code_logits(pose, keys, predicted).argmax(2), predicted));
}

TEST(CodeTalker, StagesSplitTheParametersAndTheEpochs) {
  const ModelConfig c = small_codetalker();
  auto net = make_codetalker(c);
  EXPECT_EQ(net->training_stage(0, 10), 0);
  EXPECT_EQ(net->training_stage(4, 10), 0);
  EXPECT_EQ(net->training_stage(5, 10), 1);
  EXPECT_EQ(net->training_stage(0, 1), 0);  // at least one VQ epoch
  for (const auto& p : net->named_parameters()) {
    int in = 0;
    for (int stage = 0; stage < 2; ++stage) {
      for (const auto& prefix : net->stage_parameters(stage)) in += p.key().rfind(prefix, 0) == 0;
    }
    EXPECT_EQ(in, 1) << p.key() << " must belong to exactly one stage";
  }
}

TEST(CodeTalker, EachStagesLossFallsWhenTrainedOnIt) {
  torch::manual_seed(4);
  const ModelConfig c = small_codetalker();
  auto net = make_codetalker(c);
  const auto pose = torch::rand({4, c.pose_channels(), c.pose_frames()}), keys = torch::rand({4, 88, c.window_samples()});
  // Bursts of different heights and timings: something for a codebook to learn.
  const auto t = torch::arange(64, torch::kFloat).view({1, 1, 64});
  const auto emg =
      0.5 * torch::exp(-(t - 16 * torch::arange(1, 5).view({4, 1, 1})).pow(2) / 30.0).expand({4, 6, 64}).contiguous();
  for (int stage = 0; stage < 2; ++stage) {
    std::vector<torch::Tensor> params;
    for (const auto& p : net->named_parameters())
      for (const auto& prefix : net->stage_parameters(stage))
        if (p.key().rfind(prefix, 0) == 0) params.push_back(p.value());
    torch::optim::Adam optimizer(params, torch::optim::AdamOptions(3e-3));
    const double first = net->stage_loss(stage, pose, keys, emg).item<double>();
    double last = first;
    for (int step = 0; step < 150; ++step) {
      optimizer.zero_grad();
      auto loss = net->stage_loss(stage, pose, keys, emg);
      loss.backward();
      optimizer.step();
      last = loss.item<double>();
    }
    EXPECT_LT(last, 0.5 * first) << "stage " << stage + 1;
  }
}

TEST(CodeTalker, ConfigRoundTripsAndBadFieldsAreNamed) {
  ModelConfig c = small_codetalker();
  const auto j = c.to_json();
  EXPECT_EQ(ModelConfig::from_json(j).to_json(), j);
  EXPECT_FALSE(ModelConfig{}.to_json().contains("codetalker"));  // other models' configs are unchanged
  auto bad = j;
  bad["codetalker"]["heads"] = 3;  // 16 is not a multiple of 3
  try {
    ModelConfig::from_json(bad);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("codetalker.model_dim"), std::string::npos) << e.what();
  }
  bad = j;
  bad["codetalker"]["codebok_size"] = 3;
  EXPECT_THROW(ModelConfig::from_json(bad), std::invalid_argument);
  bad = j;
  bad["window_samples"] = 60;  // not a multiple of 8
  EXPECT_THROW(ModelConfig::from_json(bad), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
