// The evaluation library against hand-worked values: predictors with known errors, means over
// performances, and interval coverage pooled by samples.
#include "eval/split_evaluation.h"

#include <cmath>

#include "test_support.h"

namespace pianokpm {
namespace {

CorpusPerformance performance(const std::string& name, int64_t n) {
  CorpusPerformance p;
  p.name = name;
  const auto t = torch::arange(n, torch::kFloat).view({n, 1});
  p.emg = (0.3 + 0.2 * torch::sin(t / 50.0 + torch::arange(6, torch::kFloat).view({1, 6}))).contiguous();
  return p;
}

TEST(SplitEvaluation, KnownErrorsGiveTheirRmseAndTheMeansAverageOverPerformances) {
  const std::vector<CorpusPerformance> perfs = {performance("a", 2000), performance("b", 1000)};
  // a: every sample off by 0.1; b: off by 0.3, and the prediction is 50 samples longer (trimmed).
  const PerformancePredictor predict = [](const CorpusPerformance& p) {
    PerformancePrediction out;
    const double off = p.name == "a" ? 0.1 : 0.3;
    out.emg = torch::cat({p.emg + off, torch::zeros({p.name == "a" ? 0 : 50, 6})}, 0);
    return out;
  };
  std::vector<std::string> seen;
  EvalOptions o;
  o.otd = false;
  const SplitEvaluation e = evaluate_performances(perfs, predict, o, [&](const PerformanceResult& r) { seen.push_back(r.name); });
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(e.performances.size(), 2u);
  EXPECT_NEAR(e.performances[0].metrics.at("rmse").get<double>(), 0.1, 1e-6);
  EXPECT_NEAR(e.performances[1].metrics.at("rmse").get<double>(), 0.3, 1e-6);
  EXPECT_EQ(e.performances[1].metrics.at("samples").get<int64_t>(), 1000);
  EXPECT_EQ(e.performances[1].estimated.size(0), 1000);
  EXPECT_TRUE(e.performances[0].metrics.at("otd").is_null());
  // A constant shift leaves Pearson r at 1.
  for (const auto& r : e.performances[0].metrics.at("pearson")) EXPECT_NEAR(r.get<double>(), 1.0, 1e-5);
  EXPECT_NEAR(e.mean.at("rmse").get<double>(), 0.2, 1e-6);  // the mean over performances, not pooled
  EXPECT_NEAR(e.mean.at("pearson").at("ADM").get<double>(), 1.0, 1e-5);
  EXPECT_TRUE(e.mean.at("otd").is_null());
  EXPECT_FALSE(e.mean.contains("coverage"));
}

TEST(SplitEvaluation, CoverageIsPooledOverAllSamples) {
  const std::vector<CorpusPerformance> perfs = {performance("a", 3000), performance("b", 1000)};
  // a's band holds every sample; b's band holds none of muscle 0 and all of the others.
  const PerformancePredictor predict = [](const CorpusPerformance& p) {
    PerformancePrediction out;
    out.emg = p.emg;
    auto lower = p.emg - 0.05, upper = p.emg + 0.05;
    if (p.name == "b") lower.select(1, 0).add_(0.1), upper.select(1, 0).add_(0.1);
    out.interval = {lower, upper};
    return out;
  };
  EvalOptions o;
  o.otd = false;
  const SplitEvaluation e = evaluate_performances(perfs, predict, o);
  EXPECT_NEAR(e.mean.at("coverage").at("ADM").get<double>(), 0.75, 1e-9);  // 3000 of 4000 samples
  EXPECT_NEAR(e.mean.at("coverage").at("PB").get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(e.mean.at("coverage_all").get<double>(), (0.75 + 5) / 6, 1e-9);
  EXPECT_NEAR(e.mean.at("interval_width").get<double>(), 0.1, 1e-6);
}

TEST(SplitEvaluation, OtdIsMeasuredWhenAsked) {
  const std::vector<CorpusPerformance> perfs = {performance("a", 300)};
  const PerformancePredictor same = [](const CorpusPerformance& p) { return PerformancePrediction{p.emg, {}, {}}; };
  const PerformancePredictor shifted = [](const CorpusPerformance& p) { return PerformancePrediction{p.emg + 0.2, {}, {}}; };
  const double zero = evaluate_performances(perfs, same).mean.at("otd").get<double>();
  const double moved = evaluate_performances(perfs, shifted).mean.at("otd").get<double>();
  EXPECT_NEAR(zero, 0.0, 1e-6);
  // Translating a cloud by d costs |d|^2 / 2 in the release's cost: 6 channels x 0.2^2 / 2.
  EXPECT_NEAR(moved, 6 * 0.04 / 2, 0.01);
}

}  // namespace
}  // namespace pianokpm
