// The analysis of six envelopes and keystrokes, against values worked out by hand.
#include "analysis/emg_analysis.h"

#include <gtest/gtest.h>

namespace pianokpm {
namespace {

constexpr int kRate = 1000;

// ADM as in bursts_test (rest 0.1, bursts 1.0-1.5 s and 3.0-3.4 s with a bridged 10-ms gap and
// a dropped 10-ms blip at 2.0 s); the other five muscles constant 0.2.
torch::Tensor constructed_emg() {
  torch::Tensor e = torch::full({4000, 6}, 0.2f);
  e.select(1, 0).fill_(0.1f);
  for (auto [from, to] : {std::pair{1000, 1500}, {2000, 2010}, {3000, 3200}, {3210, 3400}})
    e.select(1, 0).narrow(0, from, to - from).fill_(0.6f);
  return e;
}

// C4 (key 39) down 1.1-1.3 s, C#4 (key 40) from 3.1 s, C1 (key 3) from 3.3 s.
torch::Tensor constructed_keys() {
  torch::Tensor k = torch::zeros({4000, 88});
  k.select(1, 39).narrow(0, 1100, 200).fill_(1.0f);
  k.select(1, 40).narrow(0, 3100, 900).fill_(1.0f);
  k.select(1, 3).narrow(0, 3300, 700).fill_(0.7f);
  return k;
}

AnalysisOptions options() {
  AnalysisOptions o;
  o.bursts.rate_hz = kRate;
  return o;
}

TEST(EmgAnalysis, MuscleSummaryByHand) {
  const EmgAnalysis a = analyze_emg(constructed_emg(), torch::Tensor(), options());
  const MuscleSummary& adm = a.muscles[0];
  // (0.1 * 4000 + 0.5 * (500 + 10 + 200 + 190)) / 4000
  EXPECT_NEAR(adm.mean, 0.2125, 1e-6);
  EXPECT_NEAR(adm.peak, 0.6, 1e-6);
  EXPECT_NEAR(adm.peak_time_s, 1.0, 1e-9);
  EXPECT_NEAR(adm.active_fraction, 0.225, 1e-12);  // (500 + 400) / 4000
  EXPECT_NEAR(adm.bursts_per_minute, 30.0, 1e-9);  // 2 bursts in 4 s
  EXPECT_NEAR(adm.mean_burst_ms, 450.0, 1e-9);
  EXPECT_NEAR(adm.median_burst_ms, 450.0, 1e-9);
  // A constant muscle has no burst.
  EXPECT_EQ(a.muscles[1].detection.bursts.size(), 0u);
  EXPECT_NEAR(a.muscles[1].mean, 0.2, 1e-6);
  EXPECT_FALSE(a.has_keys);
}

TEST(EmgAnalysis, CoContractionIndexByHand) {
  // min: 0.5, 0, 0, 0 -> 0.5; sum a + b: 3 -> 100 * 2 * 0.5 / 3
  EXPECT_NEAR(co_contraction_index({1, 0, 1, 0}, {0.5f, 0.5f, 0, 0}), 100.0 / 3.0, 1e-9);
  EXPECT_NEAR(co_contraction_index({0.3f, 0.3f}, {0.3f, 0.3f}), 100.0, 1e-9);
  EXPECT_NEAR(co_contraction_index({1, 0}, {0, 1}), 0.0, 1e-12);
  EXPECT_EQ(co_contraction_index({0, 0}, {0, 0}), 0.0);
  // Default pairs 1DI-PB and 2DI-3DI, both constant 0.2 here: 100 %.
  const EmgAnalysis a = analyze_emg(constructed_emg(), torch::Tensor(), options());
  ASSERT_EQ(a.co_contraction.size(), 2u);
  EXPECT_EQ(a.co_contraction[0].first, "1DI");
  EXPECT_NEAR(a.co_contraction[0].index_percent, 100.0, 1e-6);
}

TEST(EmgAnalysis, KeyNamesAndOctaves) {
  EXPECT_EQ(key_name(0), "A0");
  EXPECT_EQ(key_name(39), "C4");
  EXPECT_EQ(key_name(40), "C#4");
  EXPECT_EQ(key_name(87), "C8");
  EXPECT_EQ(key_region(0), "A0-B0");
  EXPECT_EQ(key_region(2), "A0-B0");
  EXPECT_EQ(key_region(3), "C1-B1");
  EXPECT_EQ(key_region(50), "C4-B4");
  EXPECT_EQ(key_region(87), "C8");
}

TEST(EmgAnalysis, KeystrokesRegionsAndLeadsByHand) {
  const auto strokes = detect_keystrokes(constructed_keys(), 0.5);
  ASSERT_EQ(strokes.size(), 3u);
  EXPECT_EQ(strokes[0].sample, 1100);
  EXPECT_EQ(strokes[0].key, 39);
  EXPECT_EQ(strokes[1].sample, 3100);
  EXPECT_EQ(strokes[2].sample, 3300);

  const EmgAnalysis a = analyze_emg(constructed_emg(), constructed_keys(), options());
  ASSERT_EQ(a.regions.size(), 2u);
  EXPECT_EQ(a.regions[0].region, "C1-B1");  // low to high
  EXPECT_EQ(a.regions[0].keystrokes, 1);
  // 3.2-3.4 s around C1: 10 samples of 0.1, 190 of 0.6.
  EXPECT_NEAR(a.regions[0].mean_activation[0], (10 * 0.1 + 190 * 0.6) / 200, 1e-6);
  EXPECT_NEAR(a.regions[0].mean_activation[3], 0.2, 1e-6);
  EXPECT_EQ(a.regions[1].region, "C4-B4");
  EXPECT_EQ(a.regions[1].keystrokes, 2);
  EXPECT_NEAR(a.regions[1].mean_activation[0], 0.6, 1e-6);
  // ADM's onsets at 1.0 and 3.0 s lead the keystrokes by 100, 100 and 300 ms.
  EXPECT_EQ(a.lead_times[0].keystrokes, 3);
  EXPECT_NEAR(a.lead_times[0].mean_ms, 500.0 / 3.0, 1e-9);
  EXPECT_NEAR(a.lead_times[0].median_ms, 100.0, 1e-9);
  EXPECT_EQ(a.lead_times[1].keystrokes, 0);  // PB never bursts

  AnalysisOptions shorter = options();
  shorter.max_lead_s = 0.25;  // the 300-ms lead no longer counts
  const EmgAnalysis b = analyze_emg(constructed_emg(), constructed_keys(), shorter);
  EXPECT_EQ(b.lead_times[0].keystrokes, 2);
  EXPECT_NEAR(b.lead_times[0].mean_ms, 100.0, 1e-9);
}

TEST(EmgAnalysis, KeyPositionsByHand) {
  const KeyboardGeometry k{0, 510};     // 52 white keys, 10 px apart
  EXPECT_NEAR(k.key_x(0), 0, 1e-9);     // A0
  EXPECT_NEAR(k.key_x(1), 5, 1e-9);     // A#0, half way to B0
  EXPECT_NEAR(k.key_x(3), 20, 1e-9);    // C1: A0, B0, C1
  EXPECT_NEAR(k.key_x(39), 230, 1e-9);  // C4: white key 23
  EXPECT_NEAR(k.key_x(40), 235, 1e-9);  // C#4
  EXPECT_NEAR(k.key_x(87), 510, 1e-9);  // C8
}

TEST(EmgAnalysis, KeystrokesGoToTheNearestFingertip) {
  // 4 s of a still hand at 60 fps: fingertips (thumb .. little) at x = 20, 100, 235, 300, 400;
  // C4 (x 230) and C#4 (235) go to the middle finger, C1 (x 20) to the thumb.
  torch::Tensor pose = torch::zeros({240, 21, 3});
  pose.select(2, 2).fill_(1.0f);
  const float tips[5] = {20, 100, 235, 300, 400};
  for (int t = 0; t < 5; ++t) pose.select(1, 4 + 4 * t).select(1, 0).fill_(tips[t]);
  const EmgAnalysis a = analyze_emg(constructed_emg(), constructed_keys(), options(), pose, KeyboardGeometry{0, 510});
  ASSERT_EQ(a.fingers.size(), 2u);
  EXPECT_EQ(a.fingers[0].finger, "thumb");
  EXPECT_EQ(a.fingers[0].keystrokes, 1);
  EXPECT_NEAR(a.fingers[0].mean_activation[0], (10 * 0.1 + 190 * 0.6) / 200, 1e-6);
  EXPECT_EQ(a.fingers[1].finger, "middle");
  EXPECT_EQ(a.fingers[1].keystrokes, 2);
  // No hand in the frames (confidence 0): no attribution.
  pose.select(2, 2).fill_(0.0f);
  EXPECT_TRUE(analyze_emg(constructed_emg(), constructed_keys(), options(), pose, KeyboardGeometry{0, 510}).fingers.empty());
}

TEST(EmgAnalysis, JsonCarriesTheFigures) {
  const AnalysisOptions o = options();
  const nlohmann::json j = analysis_to_json(analyze_emg(constructed_emg(), constructed_keys(), o), o);
  EXPECT_EQ(j.at("muscles").size(), 6u);
  EXPECT_EQ(j.at("muscles")[0].at("muscle"), "ADM");
  EXPECT_EQ(j.at("muscles")[0].at("burst_count"), 2);
  EXPECT_NEAR(j.at("muscles")[0].at("bursts_s")[1][1].get<double>(), 3.4, 1e-12);
  EXPECT_EQ(j.at("keystrokes").at("count"), 3);
  EXPECT_EQ(j.at("keystrokes").at("regions")[1].at("region"), "C4-B4");
  EXPECT_TRUE(j.at("keystrokes").at("onset_lead")[1].at("mean_ms").is_null());
  EXPECT_NEAR(j.at("emg").at("duration_s").get<double>(), 4.0, 1e-12);
}

TEST(EmgAnalysis, RejectsBadPairsAndShapes) {
  AnalysisOptions o = options();
  o.co_contraction_pairs = {{"1DI", "FDS"}};
  EXPECT_THROW(o.check(), std::invalid_argument);
  EXPECT_THROW(analyze_emg(torch::zeros({10, 5}), torch::Tensor(), options()), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm
