#include "model/anatomical_estimator.h"

#include <algorithm>
#include <cmath>

#include "anatomy/muscle_activity.h"
#include "model/model_registry.h"

namespace pianokpm {

namespace {

// Lengths of an average hand relative to the palm (the mean wrist -> knuckle distance;
// synth/hand_model.cpp's hand): the proximal phalanges (MCP -> PIP) of index..little, the thumb's
// metacarpal and proximal phalanx.
constexpr double kPhalanxOverPalm[4] = {0.46, 0.50, 0.48, 0.38};
constexpr double kThumbMetacarpalOverPalm = 0.48, kThumbPhalanxOverPalm = 0.34;
// A segment seen at least this share of its average length counts as lying in the image plane:
// hands differ by about this much, and near full length the depth from foreshortening,
// sqrt(L^2 - seen^2), would swing with every pixel of tracking jitter.
constexpr double kInPlaneShare = 0.9;
// The angles' low-pass stays below this share of the pose rate (the filter needs under a half).
constexpr double kSmoothingOverRate = 0.4;
// A palm narrower than this fraction of its length (index to little knuckle across the wrist ->
// middle knuckle line) is seen edge-on: no frame to measure in.
constexpr double kEdgeOn = 0.05;

using anatomy::HandPoints;

// One window's frames of one view, as hands in millimetres (see the header, step 1). A frame
// without a hand (all keypoints on one spot, or a palm seen edge-on) takes the last frame's hand
// (the first hand's, before it); a window without any comes back empty.
std::vector<HandPoints> hands_in_mm(const torch::Tensor& xy, double palm_length_mm) {
  // xy: [21, 2, F] float64
  const int64_t frames = xy.size(2);
  auto a = xy.accessor<double, 3>();
  std::vector<HandPoints> out(static_cast<size_t>(frames));
  std::vector<bool> seen_hand(static_cast<size_t>(frames), false);
  auto bone = [](int child) {
    // the keypoint a segment starts from
    if (child == 0) return -1;
    if (child == 1 || child % 4 == 1) return 0;
    return child - 1;
  };
  for (int64_t f = 0; f < frames; ++f) {
    const double ux = a[9][0][f] - a[0][0][f], uy = a[9][1][f] - a[0][1][f];
    // The palm's size: the mean of the four wrist -> knuckle distances (steadier than one).
    double palm = 0;
    for (int k : {5, 9, 13, 17}) palm += 0.25 * std::hypot(a[k][0][f] - a[0][0][f], a[k][1][f] - a[0][1][f]);
    const double scale = palm > 1e-9 ? palm_length_mm / palm : 0.0;
    const double vx = a[5][0][f] - a[17][0][f], vy = a[5][1][f] - a[17][1][f];
    const double turn = ux * vy - uy * vx;
    if (!(palm > 1e-6) || !(std::abs(turn) > kEdgeOn * palm * palm) || !std::isfinite(turn)) continue;
    seen_hand[static_cast<size_t>(f)] = true;
    // The back of a right hand turns one way, of a left hand (or a mirrored view) the other: mirrored.
    const double mirror = turn >= 0 ? 1.0 : -1.0;
    HandPoints& h = out[static_cast<size_t>(f)];
    for (int k = 0; k < 21; ++k) h[k] = {mirror * (a[k][0][f] - a[0][0][f]) * scale, (a[k][1][f] - a[0][1][f]) * scale, 0.0};
    // Depth (along the palm normal, away from the camera) from each segment's foreshortening,
    // against the average hand's proportions, the fingers' scaled up to this hand's when their
    // median proximal phalanx is longer than average (hands differ by more than a tenth).
    std::array<double, 4> ratio{};
    for (int finger = 0; finger < 4; ++finger) {
      const int k = 6 + 4 * finger;
      ratio[finger] = std::hypot(h[k][0] - h[k - 1][0], h[k][1] - h[k - 1][1]) / (kPhalanxOverPalm[finger] * palm_length_mm);
    }
    std::sort(ratio.begin(), ratio.end());
    const double proportion = std::max(1.0, 0.5 * (ratio[1] + ratio[2]));
    for (int k = 1; k < 21; ++k) {
      const int p = bone(k);
      const double dx = h[k][0] - h[p][0], dy = h[k][1] - h[p][1];
      const double seen = std::hypot(dx, dy);
      double nominal = 0;
      if (k == 2) nominal = kThumbMetacarpalOverPalm * palm_length_mm;
      if (k == 3) nominal = kThumbPhalanxOverPalm * palm_length_mm;
      if (k >= 6 && k % 4 == 2) nominal = kPhalanxOverPalm[(k - 6) / 4] * palm_length_mm;
      const double length = std::max(seen, kInPlaneShare * (k > 4 ? proportion : 1.0) * nominal);
      const bool in_palm = k == 1 || k % 4 == 1;  // CMC and the knuckles lie in the palm plane
      h[k][2] = in_palm ? 0.0 : h[p][2] + std::sqrt(std::max(0.0, length * length - seen * seen));
    }
  }
  int64_t last = -1;
  for (int64_t f = 0; f < frames; ++f) {
    if (seen_hand[static_cast<size_t>(f)]) {
      if (last < 0)
        for (int64_t g = 0; g < f; ++g) out[static_cast<size_t>(g)] = out[static_cast<size_t>(f)];
      last = f;
    } else if (last >= 0) {
      out[static_cast<size_t>(f)] = out[static_cast<size_t>(last)];
    }
  }
  if (last < 0) out.clear();
  return out;
}

}  // namespace

void AnatomicalOptions::check(const StreamLayout& layout) const {
  require_option(palm_length_mm > 0, "palm_length_mm must be positive");
  require_option(push_n_per_rad >= 0, "push_n_per_rad must be >= 0");
  require_option(effort_over_optimum > 0, "effort_over_optimum must be positive");
  require_option(tonic >= 0 && tonic < 1, "tonic must be 0..1");
  require_option(electromechanical_delay_s >= 0 && electromechanical_delay_s < 0.5, "electromechanical_delay_s must be 0..0.5");
  require_option(layout.num_keypoints == 21, "the anatomical estimator needs MediaPipe's 21 keypoints");
  require_option(layout.emg_channels <= anatomy::kReleaseMuscles, "the anatomical estimator gives the release's six muscles");
}

nlohmann::json AnatomicalOptions::to_json() const {
  return {{"palm_length_mm", palm_length_mm},
          {"push_n_per_rad", push_n_per_rad},
          {"effort_over_optimum", effort_over_optimum},
          {"tonic", tonic},
          {"electromechanical_delay_s", electromechanical_delay_s}};
}

AnatomicalOptions AnatomicalOptions::from_json(const nlohmann::json& j) {
  refuse_unknown_fields(j, AnatomicalOptions().to_json());
  AnatomicalOptions o;
  read_field(j, "palm_length_mm", o.palm_length_mm);
  read_field(j, "push_n_per_rad", o.push_n_per_rad);
  read_field(j, "effort_over_optimum", o.effort_over_optimum);
  read_field(j, "tonic", o.tonic);
  read_field(j, "electromechanical_delay_s", o.electromechanical_delay_s);
  return o;
}

torch::Tensor anatomical_activations(const AnatomicalOptions& options, const torch::Tensor& pose, double pose_rate_hz) {
  const int64_t batch = pose.size(0), frames = pose.size(2);
  const torch::Tensor all = pose.detach().to(torch::kCPU, torch::kDouble);
  torch::Tensor out = torch::zeros({batch, anatomy::kReleaseMuscles, frames}, torch::kDouble);
  auto o = out.accessor<double, 3>();
  for (int64_t b = 0; b < batch; ++b) {
    const torch::Tensor xy = all[b].narrow(0, 0, 42).reshape({21, 2, frames}).contiguous();
    const auto hands = hands_in_mm(xy, options.palm_length_mm);
    if (hands.empty()) continue;  // no hand in the whole window: at rest
    // A pressing finger flexes beyond the others: its push grows with how far beyond their median
    // (flat or curved, a hand's own posture sets the level); the thumb's with its palmar abduction.
    anatomy::JointMechanics mechanics;
    mechanics.smoothing_hz = std::min(mechanics.smoothing_hz, kSmoothingOverRate * pose_rate_hz);  // slow cameras too
    std::vector<anatomy::FingertipForces> push(hands.size(), anatomy::FingertipForces{});
    for (size_t f = 0; f < hands.size(); ++f) {
      const anatomy::HandAngles q = anatomy::hand_angles(hands[f], mechanics.rest);
      push[f][anatomy::kThumb] = options.push_n_per_rad * std::max(0.0, q[anatomy::kThumb][anatomy::kThumbCmcAbduction]);
      for (int ch = anatomy::kIndex; ch <= anatomy::kLittle; ++ch) {
        std::vector<double> others;
        for (int o = anatomy::kIndex; o <= anatomy::kLittle; ++o)
          if (o != ch) others.push_back(q[o][anatomy::kFingerMcpFlexion]);
        std::nth_element(others.begin(), others.begin() + 1, others.end());
        push[f][ch] = options.push_n_per_rad * std::max(0.0, q[ch][anatomy::kFingerMcpFlexion] - others[1]);
      }
    }
    const auto act = anatomy::muscle_activity(hands, pose_rate_hz, push, std::nullopt, mechanics);
    for (int64_t f = 0; f < frames; ++f)
      for (int m = 0; m < anatomy::kReleaseMuscles; ++m) o[b][m][f] = act.release[static_cast<size_t>(f)][m];
  }
  return out;
}

torch::Tensor anatomical_envelope(const AnatomicalOptions& options, const torch::Tensor& activations, double pose_rate_hz,
                                  int64_t samples, double emg_rate_hz) {
  const torch::Tensor act = activations.detach().to(torch::kCPU, torch::kDouble).contiguous();
  const int64_t batch = act.size(0), muscles = act.size(1), frames = act.size(2);
  torch::Tensor out = torch::empty({batch, muscles, samples});
  auto a = act.accessor<double, 3>();
  auto o = out.accessor<float, 3>();
  for (int64_t s = 0; s < samples; ++s) {
    // The envelope at s is the activation that acts one delay later, at pose frame x.
    const double x = (static_cast<double>(s) / emg_rate_hz + options.electromechanical_delay_s) * pose_rate_hz;
    const auto f0 = std::clamp<int64_t>(static_cast<int64_t>(std::floor(x)), 0, frames - 1);
    const auto f1 = std::min<int64_t>(f0 + 1, frames - 1);
    const double w = std::clamp(x - static_cast<double>(f0), 0.0, 1.0);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t m = 0; m < muscles; ++m) {
        const double v = a[b][m][f0] * (1 - w) + a[b][m][f1] * w;
        o[b][m][s] = static_cast<float>(std::clamp(options.tonic + options.effort_over_optimum * v, 0.0, 1.0));
      }
  }
  return out;
}

AnatomicalEstimatorImpl::AnatomicalEstimatorImpl(const ModelConfig& config)
    : EmgModelImpl(config), options_(model_options<AnatomicalOptions>(config)) {}

torch::Tensor AnatomicalEstimatorImpl::encode(const torch::Tensor& pose, const torch::Tensor& /*keys*/) {
  if (!pose.defined()) throw std::invalid_argument("anatomical estimator: needs pose");
  const ModelConfig& c = config();
  const torch::Tensor act = anatomical_activations(options_, pose, c.pose_rate_hz);
  torch::Tensor out = anatomical_envelope(options_, act, c.pose_rate_hz, c.window_samples(), c.emg_rate_hz);
  if (c.emg_channels < anatomy::kReleaseMuscles) out = out.narrow(1, 0, c.emg_channels);
  return out.contiguous().to(pose.device());
}

torch::Tensor AnatomicalEstimatorImpl::stream_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples,
                                                   const torch::Tensor& /*previous_emg*/) {
  // The whole window costs microseconds per frame: compute it, keep the newest samples.
  const torch::Tensor all = encode(pose, keys);
  return all.narrow(2, all.size(2) - samples, samples).contiguous();
}

PIANOKPM_REGISTER_MODEL(anatomical, AnatomicalEstimatorImpl, AnatomicalOptions,
                        "muscle activity from the keypoints through a musculoskeletal hand (no EMG, no training)")

}  // namespace pianokpm
