#pragma once
// What a reader wants to know about six EMG envelopes (estimated or measured), with or without the
// keystroke record: per muscle, level, bursts and their timing (analysis/bursts.h); co-contraction
// of chosen pairs; and, with keys, each muscle's activation around the keystrokes of each octave
// of the keyboard and how long its bursts begin before the key goes down.
//
// Co-contraction index (Falconer & Winter 1985): CCI = 100 * 2 * sum(min(a, b)) / sum(a + b) in
// percent: 100 when the two envelopes are equal throughout, 0 when they are never active together.
// Negative values (an estimate's small undershoots) count as 0.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "analysis/bursts.h"
#include "core/stream_layout.h"

namespace pianokpm {

struct AnalysisOptions {
  BurstOptions bursts;  // bursts.rate_hz is the rate of the EMG and of the keys
  std::vector<std::pair<std::string, std::string>> co_contraction_pairs = {{muscle_names()[2], muscle_names()[1]},
                                                                           {muscle_names()[3], muscle_names()[4]}};
  double press_threshold = 0.5;  // key depth (0 rest .. 1 key bed) whose upward crossing is a keystroke
  double window_before_s = 0.1;  // activation around a keystroke: [t - before, t + after)
  double window_after_s = 0.1;
  double max_lead_s = 0.5;                            // a burst onset at most this long before a keystroke leads it
  double pose_rate_hz = kReleaseLayout.pose_rate_hz;  // rows per second of the keypoints given for per-finger attribution

  void check() const;  // throws std::invalid_argument naming the bad field
};

struct MuscleSummary {
  double mean = 0, peak = 0, peak_time_s = 0;
  double active_fraction = 0;  // share of the time inside bursts, 0..1
  double bursts_per_minute = 0, mean_burst_ms = 0, median_burst_ms = 0;
  BurstDetection detection;
};

struct CoContraction {
  std::string first, second;
  double index_percent = 0;
};

struct Keystroke {
  int64_t sample = 0;  // where the key's depth first reaches the press threshold
  int key = 0;         // 0 = A0 .. 87 = C8
};

struct RegionActivation {
  std::string region;  // an octave of the keyboard, e.g. "C4-B4"
  int64_t keystrokes = 0;
  std::vector<double> mean_activation;  // per muscle, mean over the windows around its keystrokes
};

// Where the keys lie in the top camera's image, for attributing keystrokes to fingers: the x of
// the centres of A0 and C8 (both white keys). White keys are evenly spaced between them; a black
// key sits half way between its white neighbours.
struct KeyboardGeometry {
  double a0_x = 0, c8_x = 0;
  double key_x(int key) const;  // key 0 = A0 .. 87 = C8
};

struct FingerActivation {
  std::string finger;  // thumb, index, middle, ring, little
  int64_t keystrokes = 0;
  std::vector<double> mean_activation;  // per muscle, as for regions
};

struct LeadTime {
  int64_t keystrokes = 0;  // keystrokes preceded by an onset of this muscle within max_lead_s
  double mean_ms = 0, median_ms = 0;
};

struct EmgAnalysis {
  double rate_hz = 0;
  int64_t samples = 0;
  std::vector<MuscleSummary> muscles;  // channel order ADM, PB, 1DI, 2DI, 3DI, 4DI
  std::vector<CoContraction> co_contraction;
  bool has_keys = false;
  std::vector<Keystroke> keystrokes;
  std::vector<RegionActivation> regions;  // only regions that were played, low to high
  std::vector<FingerActivation> fingers;  // with keypoints and keyboard geometry; fingers that played
  std::vector<LeadTime> lead_times;       // per muscle
};

// Keystrokes of a key-depth record [M, 88]: upward crossings of `press_threshold`, in time order.
std::vector<Keystroke> detect_keystrokes(const torch::Tensor& keys, double press_threshold);

// CCI of two equally long envelopes, in percent (see above); 0 when both are zero throughout.
double co_contraction_index(const std::vector<float>& a, const std::vector<float>& b);

// Name of a key (0 = A0) and of the keyboard octave it lies in ("A0-B0", "C1-B1", ..., "C8").
std::string key_name(int key);
std::string key_region(int key);

// emg [N, 6], keys [M, 88] at the same rate or undefined. Keystrokes after the EMG's end are left out.
// With `top_pose` ([T, 21, C>=2] top-camera keypoints at options.pose_rate_hz, in the units of
// `keyboard`) each keystroke is also given to the finger whose tip (landmarks 4, 8, 12, 16, 20) is
// nearest the key's x in that frame; frames without a hand (all zero, or confidence 0) give none.
EmgAnalysis analyze_emg(const torch::Tensor& emg, const torch::Tensor& keys, const AnalysisOptions& options,
                        const torch::Tensor& top_pose = {}, const KeyboardGeometry& keyboard = {});

// The analysis as JSON (documented in docs/analysis.md), with the method's parameters.
nlohmann::json analysis_to_json(const EmgAnalysis& analysis, const AnalysisOptions& options);

}  // namespace pianokpm
