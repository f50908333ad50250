// Familiarity of a whole performance: windows as predict cuts them, the verdict, the CSV written
// and read back, and the reader's answer to damaged files (a result or an InputError, never a
// crash: 3000 random mutations of a valid file).
#include "predict/window_familiarity.h"

#include <random>

#include "core/input_error.h"
#include "model/pose_front_end.h"
#include "test_support.h"

namespace pianokpm {
namespace {

// A pose-only hand-frame model whose reference comes from a hand moving one way; the pose [T, 42].
ModelConfig config_with_reference() {
  ModelConfig c;
  c.modality = Modality::kPoseOnly;
  c.num_views = 1;
  c.pose.frame = PoseFrame::kHand;
  torch::manual_seed(11);
  const torch::Tensor base = torch::rand({1, 42, 1}) * 100;
  const torch::Tensor windows = base + torch::randn({12, 42, 60}) * 3;  // a jittering hand
  const torch::Tensor d = window_descriptors(pose_features(c, windows));
  FamiliarityFitOptions fit;
  fit.nearest = 1;
  c.familiarity = fit_familiarity(d.narrow(0, 0, 6), d.narrow(0, 6, 6), fit);
  return c;
}

TEST(WindowFamiliarity, OneScorePerWindowAndAVerdict) {
  const ModelConfig c = config_with_reference();
  torch::manual_seed(12);
  const torch::Tensor base = torch::rand({1, 42}) * 100;
  // 3.5 s: three whole windows and a half one
  torch::Tensor pose = (base + torch::randn({210, 42}) * 3).contiguous();
  auto f = window_familiarity(c, pose);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->windows(), 4);
  EXPECT_DOUBLE_EQ(f->duration_s, 3.5);
  // the first window scored alone gives the same value
  const torch::Tensor first = pose_familiarity(c, pose.narrow(0, 0, 60).t().unsqueeze(0));
  EXPECT_DOUBLE_EQ(f->score[0].item<double>(), first[0].item<double>());
  // frozen: every window unfamiliar, and the verdict says so
  const torch::Tensor frozen = pose.narrow(0, 0, 1).expand_as(pose).contiguous();
  f = window_familiarity(c, frozen);
  EXPECT_EQ(f->unfamiliar, 4);
  EXPECT_TRUE(f->warn);
  EXPECT_NE(f->summary().find("UNFAMILIAR INPUT: 4 of 4"), std::string::npos) << f->summary();
  // no reference, no scores
  ModelConfig plain = c;
  plain.familiarity = {};
  EXPECT_FALSE(window_familiarity(plain, pose).has_value());
}

TEST(WindowFamiliarity, CsvRoundTripsAndNamesItsPath) {
  testing::ScratchDir dir;
  const ModelConfig c = config_with_reference();
  const auto f = window_familiarity(c, (torch::rand({1, 42}) * 100 + torch::randn({125, 42})).contiguous());
  ASSERT_TRUE(f.has_value());
  const std::string path = dir / "run_familiarity.csv";
  write_familiarity_csv(path, *f);
  const WindowFamiliarity back = read_familiarity_csv(path);
  EXPECT_EQ(back.windows(), 3);
  EXPECT_NEAR(back.duration_s, 125.0 / 60, 1e-3);
  EXPECT_LT((back.score - f->score).abs().max().item<double>(), 1e-4);  // 4 decimals in the file
  EXPECT_EQ(back.unfamiliar, f->unfamiliar);
  EXPECT_EQ(familiarity_path_for(dir / "x/run.csv"), dir / "x/run_familiarity.csv");
  try {
    read_familiarity_csv(dir / "missing.csv");
    ADD_FAILURE() << "a missing file was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.csv"), std::string::npos);
  }
}

TEST(WindowFamiliarity, DamagedFilesGiveAResultOrAnInputError) {
  const std::string valid = "start_s,end_s,familiarity,unfamiliar\n0.000,1.000,0.5000,0\n1.000,2.000,0.0010,1\n";
  EXPECT_EQ(parse_familiarity_csv(valid, "f.csv").windows(), 2);
  for (const std::string bad :
       {"", "start_s,end_s\n0,1\n", "start_s,end_s,familiarity,unfamiliar\n", "start_s,end_s,familiarity,unfamiliar\n0,1,nan,0\n",
        "start_s,end_s,familiarity,unfamiliar\n1,0,0.5,0\n", "start_s,end_s,familiarity,unfamiliar\n0,1,0.5,0,7\n",
        "start_s,end_s,familiarity,unfamiliar\n0,1,0.5,2\n"}) {
    EXPECT_THROW(parse_familiarity_csv(bad, "f.csv"), InputError) << bad;
  }
  std::mt19937 rng(5);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0: text.insert(at, 1, static_cast<char>(rng() % 256)); break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = static_cast<char>(rng() % 256);
      }
    }
    try {
      const WindowFamiliarity f = parse_familiarity_csv(text, "f.csv");
      ++accepted;
      EXPECT_GE(f.score.min().item<double>(), 0.0);
      EXPECT_LE(f.score.max().item<double>(), 1.0);
    } catch (const InputError&) {
    }
  }
  EXPECT_GT(accepted, 0) << "some mutations (a digit changed) still read";
}

}  // namespace
}  // namespace pianokpm
