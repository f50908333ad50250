#include "analysis/emg_analysis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "analysis/muscles.h"

namespace pianokpm {

namespace {

std::vector<float> column(const torch::Tensor& emg, int64_t c) {
  const torch::Tensor col = emg.select(1, c).to(torch::kFloat).contiguous();
  return std::vector<float>(col.data_ptr<float>(), col.data_ptr<float>() + col.numel());
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

int muscle_index(const std::string& code) {
  const auto& infos = muscle_infos();
  for (size_t i = 0; i < infos.size(); ++i)
    if (infos[i].code == code) return static_cast<int>(i);
  throw std::invalid_argument(
      fmt::format("co-contraction pair names an unknown muscle '{}' ({})", code, fmt::join(muscle_names(), ", ")));
}

MuscleSummary summarise(const std::vector<float>& x, const BurstOptions& o) {
  MuscleSummary s;
  const auto n = static_cast<double>(x.size());
  double sum = 0;
  for (float v : x) sum += v;
  s.mean = sum / n;
  const auto peak = std::max_element(x.begin(), x.end());
  s.peak = *peak;
  s.peak_time_s = static_cast<double>(peak - x.begin()) / o.rate_hz;
  s.detection = detect_bursts(x, o);
  std::vector<double> durations_ms;
  int64_t active = 0;
  for (const Burst& b : s.detection.bursts) {
    active += b.offset - b.onset;
    durations_ms.push_back(1000.0 * static_cast<double>(b.offset - b.onset) / o.rate_hz);
  }
  s.active_fraction = static_cast<double>(active) / n;
  s.bursts_per_minute = static_cast<double>(s.detection.bursts.size()) / (n / o.rate_hz / 60.0);
  if (!durations_ms.empty()) {
    double total = 0;
    for (double d : durations_ms) total += d;
    s.mean_burst_ms = total / static_cast<double>(durations_ms.size());
    s.median_burst_ms = median(durations_ms);
  }
  return s;
}

}  // namespace

void AnalysisOptions::check() const {
  bursts.check();
  if (!(press_threshold > 0 && press_threshold <= 1)) throw std::invalid_argument("press_threshold must be in (0, 1]");
  if (window_before_s < 0 || window_after_s < 0 || window_before_s + window_after_s <= 0)
    throw std::invalid_argument("window_before_s and window_after_s must be >= 0 with a positive sum");
  if (!(max_lead_s > 0)) throw std::invalid_argument("max_lead_s must be positive");
  for (const auto& [a, b] : co_contraction_pairs) {
    muscle_index(a);
    muscle_index(b);
  }
}

std::vector<Keystroke> detect_keystrokes(const torch::Tensor& keys, double threshold) {
  const torch::Tensor k = keys.to(torch::kFloat).contiguous();
  const int64_t n = k.size(0), m = k.size(1);
  const float* p = k.data_ptr<float>();
  std::vector<Keystroke> out;
  for (int64_t key = 0; key < m; ++key) {
    float previous = 0;  // a key already down at the start counts as pressed then
    for (int64_t i = 0; i < n; ++i) {
      const float v = p[i * m + key];
      if (previous < threshold && v >= threshold) out.push_back({i, static_cast<int>(key)});
      previous = v;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Keystroke& a, const Keystroke& b) { return a.sample < b.sample; });
  return out;
}

double co_contraction_index(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("co-contraction needs envelopes of equal length");
  double common = 0, total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = std::max(0.0f, a[i]), y = std::max(0.0f, b[i]);  // estimates may dip below 0
    common += std::min(x, y);
    total += x + y;
  }
  return total > 0 ? 100.0 * 2.0 * common / total : 0.0;
}

std::string key_name(int key) {
  static const char* names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  const int midi = key + 21;
  return fmt::format("{}{}", names[midi % 12], midi / 12 - 1);
}

std::string key_region(int key) {
  const int midi = key + 21;
  const int first = std::max(21, midi - midi % 12) - 21;
  const int last = std::min(108, midi - midi % 12 + 11) - 21;
  return first == last ? key_name(first) : key_name(first) + "-" + key_name(last);
}

double KeyboardGeometry::key_x(int key) const {
  // White keys from A0: A0 B0, then 7 per octave from C1; a black key is half way between.
  static const int white_before[12] = {0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6};  // from C: C C# D D# E F F# G G# A A# B
  static const bool black[12] = {false, true, false, true, false, false, true, false, true, false, true, false};
  const int midi = key + 21;
  const int octave = midi / 12 - 1, pc = midi % 12;
  const double white = 2 + 7.0 * (octave - 1) + white_before[pc] + (black[pc] ? 0.5 : 0.0);  // A0 = 0, B0 = 1, C1 = 2
  return a0_x + white * (c8_x - a0_x) / 51.0;
}

EmgAnalysis analyze_emg(const torch::Tensor& emg, const torch::Tensor& keys, const AnalysisOptions& o,
                        const torch::Tensor& top_pose, const KeyboardGeometry& keyboard) {
  o.check();
  if (emg.dim() != 2 || emg.size(1) != static_cast<int64_t>(muscle_infos().size()) || emg.size(0) == 0)
    throw std::invalid_argument(fmt::format("EMG must be [N > 0, {}]", muscle_infos().size()));
  EmgAnalysis a;
  a.rate_hz = o.bursts.rate_hz;
  a.samples = emg.size(0);
  std::vector<std::vector<float>> cols;
  for (int64_t c = 0; c < emg.size(1); ++c) {
    cols.push_back(column(emg, c));
    a.muscles.push_back(summarise(cols.back(), o.bursts));
  }
  for (const auto& [first, second] : o.co_contraction_pairs)
    a.co_contraction.push_back({first, second, co_contraction_index(cols[muscle_index(first)], cols[muscle_index(second)])});

  if (!keys.defined()) return a;
  a.has_keys = true;
  for (const Keystroke& k : detect_keystrokes(keys, o.press_threshold))
    if (k.sample < a.samples) a.keystrokes.push_back(k);

  const double rate = o.bursts.rate_hz;
  const auto before = static_cast<int64_t>(std::llround(o.window_before_s * rate));
  const auto after = static_cast<int64_t>(std::llround(o.window_after_s * rate));
  const auto max_lead = static_cast<int64_t>(std::llround(o.max_lead_s * rate));
  const size_t muscles = cols.size();

  std::map<int, RegionActivation> regions;  // keyed by the region's first key: low to high
  for (const Keystroke& k : a.keystrokes) {
    const int midi = k.key + 21;
    RegionActivation& r = regions[std::max(21, midi - midi % 12) - 21];
    if (r.mean_activation.empty()) {
      r.region = key_region(k.key);
      r.mean_activation.assign(muscles, 0.0);
    }
    ++r.keystrokes;
    const int64_t from = std::max<int64_t>(0, k.sample - before), to = std::min(a.samples, k.sample + after);
    for (size_t c = 0; c < muscles; ++c) {
      double sum = 0;
      for (int64_t i = from; i < to; ++i) sum += cols[c][i];
      r.mean_activation[c] += to > from ? sum / static_cast<double>(to - from) : 0.0;
    }
  }
  for (auto& [first_key, r] : regions) {
    for (double& v : r.mean_activation) v /= static_cast<double>(r.keystrokes);
    a.regions.push_back(r);
  }

  if (top_pose.defined()) {
    static const char* names[5] = {"thumb", "index", "middle", "ring", "little"};
    const torch::Tensor pose = top_pose.to(torch::kDouble).contiguous();
    const int64_t frames = pose.size(0), keypoints = pose.size(1), channels = pose.size(2);
    const double* p = pose.data_ptr<double>();
    std::vector<FingerActivation> fingers(5);
    for (const Keystroke& k : a.keystrokes) {
      const auto frame = static_cast<int64_t>(std::llround(static_cast<double>(k.sample) / rate * o.pose_rate_hz));
      if (frame < 0 || frame >= frames) continue;
      const double* f = p + frame * keypoints * channels;
      bool hand = channels < 3 || f[2] > 0;
      double any = 0;
      for (int64_t i = 0; i < keypoints * channels; ++i) any += std::abs(f[i]);
      if (!hand || any == 0) continue;
      const double x = keyboard.key_x(k.key);
      int best = 0;
      for (int t = 1; t < 5; ++t)
        if (std::abs(f[(4 + 4 * t) * channels] - x) < std::abs(f[(4 + 4 * best) * channels] - x)) best = t;
      FingerActivation& fa = fingers[best];
      if (fa.mean_activation.empty()) fa.mean_activation.assign(muscles, 0.0);
      ++fa.keystrokes;
      const int64_t from = std::max<int64_t>(0, k.sample - before), to = std::min(a.samples, k.sample + after);
      for (size_t c = 0; c < muscles; ++c) {
        double sum = 0;
        for (int64_t i = from; i < to; ++i) sum += cols[c][i];
        fa.mean_activation[c] += to > from ? sum / static_cast<double>(to - from) : 0.0;
      }
    }
    for (int t = 0; t < 5; ++t) {
      if (fingers[t].keystrokes == 0) continue;
      fingers[t].finger = names[t];
      for (double& v : fingers[t].mean_activation) v /= static_cast<double>(fingers[t].keystrokes);
      a.fingers.push_back(fingers[t]);
    }
  }

  for (size_t c = 0; c < muscles; ++c) {
    std::vector<double> leads_ms;
    const auto& bursts = a.muscles[c].detection.bursts;
    for (const Keystroke& k : a.keystrokes) {
      // The latest onset at or before the keystroke, if it is recent enough.
      auto it = std::upper_bound(bursts.begin(), bursts.end(), k.sample, [](int64_t s, const Burst& b) { return s < b.onset; });
      if (it == bursts.begin()) continue;
      const int64_t lead = k.sample - std::prev(it)->onset;
      if (lead <= max_lead) leads_ms.push_back(1000.0 * static_cast<double>(lead) / rate);
    }
    LeadTime l;
    l.keystrokes = static_cast<int64_t>(leads_ms.size());
    if (!leads_ms.empty()) {
      double total = 0;
      for (double v : leads_ms) total += v;
      l.mean_ms = total / static_cast<double>(leads_ms.size());
      l.median_ms = median(leads_ms);
    }
    a.lead_times.push_back(l);
  }
  return a;
}

nlohmann::json analysis_to_json(const EmgAnalysis& a, const AnalysisOptions& o) {
  using nlohmann::json;
  const auto& infos = muscle_infos();
  json j;
  j["emg"] = {{"rate_hz", a.rate_hz}, {"samples", a.samples}, {"duration_s", static_cast<double>(a.samples) / a.rate_hz}};
  j["method"] = {{"bursts",
                  {{"rule",
                    "baseline = quietest window; threshold = max(mean + k_sd*SD, mean + min_rise*(peak - mean)); "
                    "active above threshold; gaps < min_gap_s merged; bursts < min_burst_s dropped"},
                   {"baseline_window_s", o.bursts.baseline_window_s},
                   {"k_sd", o.bursts.k_sd},
                   {"min_rise", o.bursts.min_rise},
                   {"min_burst_s", o.bursts.min_burst_s},
                   {"min_gap_s", o.bursts.min_gap_s}}},
                 {"co_contraction", "Falconer & Winter: 100 * 2 * sum(min(a, b)) / sum(a + b), percent"},
                 {"keystrokes",
                  {{"press_threshold", o.press_threshold},
                   {"window_before_s", o.window_before_s},
                   {"window_after_s", o.window_after_s},
                   {"max_lead_s", o.max_lead_s}}}};
  json muscles = json::array();
  for (size_t c = 0; c < a.muscles.size(); ++c) {
    const MuscleSummary& s = a.muscles[c];
    json bursts = json::array();
    for (const Burst& b : s.detection.bursts)
      bursts.push_back({static_cast<double>(b.onset) / a.rate_hz, static_cast<double>(b.offset) / a.rate_hz});
    muscles.push_back({{"muscle", infos[c].code},
                       {"name", infos[c].name},
                       {"mean", s.mean},
                       {"peak", s.peak},
                       {"peak_time_s", s.peak_time_s},
                       {"active_fraction", s.active_fraction},
                       {"burst_count", s.detection.bursts.size()},
                       {"bursts_per_minute", s.bursts_per_minute},
                       {"mean_burst_ms", s.mean_burst_ms},
                       {"median_burst_ms", s.median_burst_ms},
                       {"baseline_mean", s.detection.baseline_mean},
                       {"baseline_sd", s.detection.baseline_sd},
                       {"threshold", s.detection.threshold},
                       {"bursts_s", bursts}});
  }
  j["muscles"] = muscles;
  json cc = json::array();
  for (const CoContraction& c : a.co_contraction)
    cc.push_back({{"pair", {c.first, c.second}}, {"index_percent", c.index_percent}});
  j["co_contraction"] = cc;
  if (!a.has_keys) {
    j["keystrokes"] = nullptr;
    return j;
  }
  json regions = json::array();
  for (const RegionActivation& r : a.regions) {
    json act;
    for (size_t c = 0; c < r.mean_activation.size(); ++c) act[infos[c].code] = r.mean_activation[c];
    regions.push_back({{"region", r.region}, {"keystrokes", r.keystrokes}, {"mean_activation", act}});
  }
  json leads = json::array();
  for (size_t c = 0; c < a.lead_times.size(); ++c) {
    const LeadTime& l = a.lead_times[c];
    leads.push_back({{"muscle", infos[c].code},
                     {"keystrokes_with_onset", l.keystrokes},
                     {"mean_ms", l.keystrokes ? json(l.mean_ms) : json(nullptr)},
                     {"median_ms", l.keystrokes ? json(l.median_ms) : json(nullptr)}});
  }
  j["keystrokes"] = {{"count", a.keystrokes.size()}, {"regions", regions}, {"onset_lead", leads}};
  if (!a.fingers.empty()) {
    json fingers = json::array();
    for (const FingerActivation& f : a.fingers) {
      json act;
      for (size_t c = 0; c < f.mean_activation.size(); ++c) act[infos[c].code] = f.mean_activation[c];
      fingers.push_back({{"finger", f.finger}, {"keystrokes", f.keystrokes}, {"mean_activation", act}});
    }
    j["keystrokes"]["fingers"] = fingers;
  }
  return j;
}

}  // namespace pianokpm
