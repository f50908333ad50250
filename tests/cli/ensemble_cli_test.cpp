// pianokpm ensemble, predict --interval and eval --interval end to end on a tiny corpus: the
// estimate is the members' mean, the bounds enclose it, and eval's coverage is the share of
// measured samples inside the bounds predict writes.
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>

#include "io/array_file.h"
#include "render/colormap.h"
#include "test_support.h"

namespace pianokpm {
namespace {

using testing::run_cli;

// Pixels of the plot's band colour (a light red) in a PNG.
int plot_band_pixels(const std::string& path) {
  const cv::Mat img = cv::imread(path);
  EXPECT_FALSE(img.empty()) << path;
  int count = 0;
  for (int y = 0; y < img.rows; ++y)
    for (int x = 0; x < img.cols; ++x) {
      const auto p = img.at<cv::Vec3b>(y, x);
      count += std::abs(p[2] - 247) <= 2 && std::abs(p[1] - 184) <= 2 && std::abs(p[0] - 184) <= 2;
    }
  return count;
}

// Pixels of the muscles' colours at a third of their brightness (the overlay's band) in the trace
// strip of a frame 2.5 s into a video.
int overlay_band_pixels(const std::string& video) {
  cv::VideoCapture cap(video);
  cv::Mat frame;
  for (int i = 0; i < 150 && cap.read(frame); ++i) {
  }
  EXPECT_FALSE(frame.empty()) << video;
  if (frame.empty()) return 0;
  const cv::Mat strip = frame(cv::Rect(0, frame.rows * 6 / 10, frame.cols, frame.rows * 4 / 10));
  int count = 0;
  for (const auto& c : render::muscle_colours()) {
    const cv::Vec3b dim(c.b / 3, c.g / 3, c.r / 3);
    for (int y = 0; y < strip.rows; ++y)
      for (int x = 0; x < strip.cols; ++x) {
        const auto p = strip.at<cv::Vec3b>(y, x);
        count += std::abs(p[0] - dim[0]) <= 8 && std::abs(p[1] - dim[1]) <= 8 && std::abs(p[2] - dim[2]) <= 8;
      }
  }
  return count;
}

class EnsembleCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::ScratchDirAt("pianokpm_ensemble_corpus");
    auto r = run_cli("synth --out " + corpus() + " --pianists 2 --tasks 2 --takes 2 --seconds 5 --seed 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* seed : {"1", "2", "3"}) {
      r = run_cli("train --data " + corpus() + " --split " + split() + " --config " +
                  testing::fixture("configs/tiny_model.json") + " --threads 1 --epochs 1 --seed " + seed + " --out " + run(seed));
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    r = run_cli("ensemble --models " + run("1") + "/best.pt " + run("2") + "/best.pt " + run("3") + "/best.pt --data " +
                corpus() + " --split " + split() + " --set val --out " + ensemble());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string corpus() { return (dir_->path() / "corpus").string(); }
  static std::string split() { return corpus() + "/dataset_architectural.json"; }
  static std::string run(const std::string& seed) { return (dir_->path() / ("seed" + seed)).string(); }
  static std::string ensemble() { return (dir_->path() / "ens.json").string(); }
  static std::string inputs(const std::string& name) {
    return " --pose-top " + corpus() + "/hand_data/keyp_top/" + name + ".pkl --pose-right " + corpus() +
           "/hand_data/keyp_right/" + name + ".pkl --keys " + corpus() + "/keystroke_data/" + name + ".pkl";
  }
  static testing::ScratchDirAt* dir_;
};
testing::ScratchDirAt* EnsembleCli::dir_ = nullptr;

TEST_F(EnsembleCli, PredictWritesTheMembersMeanAndBoundsAroundIt) {
  testing::ScratchDir dir;
  auto r = run_cli("predict --model " + ensemble() + " --interval 0.9" + inputs("t1_p1_1") + " --out " + (dir / "e.npy"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const torch::Tensor out = read_array(dir / "e.npy");
  ASSERT_EQ(out.size(1), 18);
  torch::Tensor sum = torch::zeros({out.size(0), 6});
  for (const char* seed : {"1", "2", "3"}) {
    r = run_cli("predict --model " + run(seed) + "/best.pt" + inputs("t1_p1_1") + " --out " +
                (dir / (std::string(seed) + ".npy")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    sum += read_array(dir / (std::string(seed) + ".npy"));
  }
  const torch::Tensor mean = out.narrow(1, 0, 6), lower = out.narrow(1, 6, 6), upper = out.narrow(1, 12, 6);
  EXPECT_LE(testing::max_abs_diff(mean, sum / 3), 1e-6);
  EXPECT_TRUE((lower <= mean.clamp(0, 1) + 1e-6).all().item<bool>());
  EXPECT_TRUE((upper >= mean.clamp(0, 1) - 1e-6).all().item<bool>());
  EXPECT_TRUE((upper > lower).any().item<bool>());
  EXPECT_GE(lower.min().item<float>(), 0.0f);
  EXPECT_LE(upper.max().item<float>(), 1.0f);
  // A wider level gives wider bounds.
  r = run_cli("predict --model " + ensemble() + " --interval 0.5" + inputs("t1_p1_1") + " --out " + (dir / "e50.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = testing::read_bytes(dir / "e50.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "ADM,PB,1DI,2DI,3DI,4DI,ADM_lower,PB_lower,1DI_lower,2DI_lower,3DI_lower,4DI_lower,"
            "ADM_upper,PB_upper,1DI_upper,2DI_upper,3DI_upper,4DI_upper");
  r = run_cli("predict --model " + ensemble() + " --interval 0.5" + inputs("t1_p1_1") + " --out " + (dir / "e50.npy"));
  const torch::Tensor narrow = read_array(dir / "e50.npy");
  EXPECT_LT((narrow.narrow(1, 12, 6) - narrow.narrow(1, 6, 6)).mean().item<float>(), (upper - lower).mean().item<float>());
}

TEST_F(EnsembleCli, EvalCoverageIsTheShareOfMeasuredSamplesInsideTheBounds) {
  testing::ScratchDir dir;
  auto r = run_cli("eval --model " + ensemble() + " --interval 0.9 --data " + corpus() + " --split " + split() +
                   " --set test --out " + (dir / "ev"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto metrics = nlohmann::json::parse(testing::read_bytes(dir / "ev/metrics.json"));
  ASSERT_FALSE(metrics.at("performances").empty());
  for (const auto& row : metrics.at("performances")) {
    const std::string name = row.at("name");
    r = run_cli("predict --model " + ensemble() + " --interval 0.9" + inputs(name) + " --out " + (dir / (name + ".npy")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const torch::Tensor out = read_array(dir / (name + ".npy"));
    const torch::Tensor measured = read_array(corpus() + "/emg_data/" + name + ".pkl");
    const int64_t n = std::min(out.size(0), measured.size(0));
    const torch::Tensor y = measured.narrow(0, 0, n);
    const torch::Tensor inside = (y >= out.narrow(0, 0, n).narrow(1, 6, 6)) & (y <= out.narrow(0, 0, n).narrow(1, 12, 6));
    const torch::Tensor share = inside.to(torch::kDouble).mean(0);
    for (int m = 0; m < 6; ++m) EXPECT_NEAR(row.at("coverage").at(m).get<double>(), share[m].item<double>(), 1e-9) << name;
  }
  EXPECT_TRUE(metrics.at("mean").contains("coverage_all"));
  EXPECT_NE(testing::read_bytes(dir / "ev/metrics.md").find("Coverage of the 90% interval"), std::string::npos);
  // The figure shows the band in its own colour (a light red), and only when there is an interval.
  const std::string png = (dir / "ev/plots") + "/" + metrics.at("performances")[0].at("name").get<std::string>() + ".png";
  EXPECT_GT(plot_band_pixels(png), 500);
  r = run_cli("eval --model " + ensemble() + " --data " + corpus() + " --split " + split() + " --set test --out " +
              (dir / "plain"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(plot_band_pixels((dir / "plain/plots") + "/" + metrics.at("performances")[0].at("name").get<std::string>() + ".png"),
            0);
}

TEST_F(EnsembleCli, TheOverlayVideoShowsTheIntervalAsABandBehindEachTrace) {
  // Frames read back from the video: the strip under the hand holds large areas of each muscle's
  // colour at a third of its brightness (the band) with --interval, and hardly any without.
  testing::ScratchDir dir;
  const std::string top = " --pose-top " + corpus() + "/hand_data/keyp_top/t1_p1_1.pkl";
  const std::string rest =
      " --pose-right " + corpus() + "/hand_data/keyp_right/t1_p1_1.pkl --keys " + corpus() + "/keystroke_data/t1_p1_1.pkl";
  auto r = run_cli("predict --model " + ensemble() + " --interval 0.9" + top + rest + " --out " + (dir / "a.csv") +
                   " --overlay " + (dir / "band.mp4"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_cli("predict --model " + ensemble() + top + rest + " --out " + (dir / "b.csv") + " --overlay " + (dir / "plain.mp4"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const int with_band = overlay_band_pixels(dir / "band.mp4"), without = overlay_band_pixels(dir / "plain.mp4");
  std::cout << "band-coloured pixels in the strip: " << with_band << " with the interval, " << without << " without\n";
  EXPECT_GT(with_band, 1000);
  EXPECT_GT(with_band, 5 * without);
}

// A file predict wrote with --interval (18 columns) shows its band in plot, render and report too.
TEST_F(EnsembleCli, PlotRenderAndReportOfAFileWithBoundsShowTheBand) {
  testing::ScratchDir dir;
  auto r = run_cli("predict --model " + ensemble() + " --interval 0.9" + inputs("t1_p1_1") + " --out " + (dir / "e.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_cli("plot --emg " + (dir / "e.csv") + " --out " + (dir / "p.png"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(plot_band_pixels(dir / "p.png"), 500);
  r = run_cli("render --emg " + (dir / "e.csv") + " --pose " + corpus() + "/hand_data/keyp_top/t1_p1_1.pkl --out " +
              (dir / "r.mp4"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(overlay_band_pixels(dir / "r.mp4"), 1000);
  r = run_cli("report --emg " + (dir / "e.csv") + " --out " + (dir / "r.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string html = testing::read_bytes(dir / "r.html");
  EXPECT_NE(html.find("\"lower\":[["), std::string::npos);
  EXPECT_NE(html.find("\"upper\":[["), std::string::npos);
  // 6 columns: no band; 7 columns: a clear error.
  testing::write_bytes(dir / "seven.csv", "a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n");
  r = run_cli("plot --emg " + (dir / "seven.csv") + " --out " + (dir / "q.png"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("or 18 (with lower and upper bounds)"), std::string::npos) << r.output;
}

TEST_F(EnsembleCli, IntervalsNeedACalibratedEnsemble) {
  testing::ScratchDir dir;
  auto r = run_cli("predict --model " + run("1") + "/best.pt --interval 0.9" + inputs("t1_p1_1") + " --out " + (dir / "a.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("ensemble"), std::string::npos) << r.output;
  r = run_cli("ensemble --models " + run("1") + "/best.pt " + run("2") + "/best.pt --out " + (dir / "raw.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_cli("predict --model " + (dir / "raw.json") + " --interval 0.9" + inputs("t1_p1_1") + " --out " + (dir / "b.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not calibrated"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "b.csv"));
  r = run_cli("ensemble --models " + run("1") + "/best.pt --out " + (dir / "one.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("at least two"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pianokpm
