#include "synth/hand_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "synth/key_motion.h"
#include "synth/keyboard.h"

namespace pianokpm::synth {

namespace {

constexpr double kPrepareS = 0.08;  // the finger travels to its key and lifts before the descent
constexpr double kRecoverS = 0.08;  // and returns to its resting place after the release
constexpr double kHomeYMm = -40.0;  // resting fingertips over the white keys
// Finger lengths (thumb from its CMC joint, others from the MCP joint) of an average hand, mm.
constexpr double kFingerLengthMm[5] = {100, 95, 105, 100, 80};
// Where the joints sit along each finger, as fractions of its length.
constexpr double kJointFraction[3] = {0.42, 0.72, 1.0};
// The curved hand (FingerShape::kCurved): palm height above the keys and how far forward of the
// bowed hand the knuckles sit (a curved finger reaches less far), mm for an average hand.
constexpr double kCurvedPalmHeightMm = 80.0;
constexpr double kCurvedForwardMm = 30.0;
constexpr double kDipOverPip = 2.0 / 3.0;
constexpr double kMaxPipRad = 1.9;

struct Vec3 {
  double x = 0, y = 0, z = 0;
};
Vec3 lerp(const Vec3& a, const Vec3& b, double s) {
  return {a.x + s * (b.x - a.x), a.y + s * (b.y - a.y), a.z + s * (b.z - a.z)};
}

double smoothstep(double s) {
  s = std::clamp(s, 0.0, 1.0);
  return s * s * (3 - 2 * s);
}

// Hand position along the keyboard: where the played finger's key asks the hand to be.
class HandTrajectory {
 public:
  HandTrajectory(const Score& score, double spacing) {
    for (const Note& n : score.notes) {
      const double x = key_x_mm(n.key) - (n.finger - 3) * spacing;
      if (!anchors_.empty() && std::abs(anchors_.back().first - n.t_bed_s) < 0.02) {
        anchors_.back().second = 0.5 * (anchors_.back().second + x);
      } else {
        anchors_.emplace_back(n.t_bed_s, x);
      }
    }
    if (anchors_.empty()) anchors_.emplace_back(0.0, key_x_mm(39));
  }
  double x_at(double t) const {
    auto it = std::lower_bound(anchors_.begin(), anchors_.end(), std::make_pair(t, -1e300));
    if (it == anchors_.begin()) return it->second;
    if (it == anchors_.end()) return anchors_.back().second;
    const auto& [t1, x1] = *it;
    const auto& [t0, x0] = *(it - 1);
    return x0 + (x1 - x0) * smoothstep((t - t0) / std::max(1e-6, t1 - t0));
  }

 private:
  std::vector<std::pair<double, double>> anchors_;
};

// A curved finger with its proximal phalanx level, in its own plane (forward, up): the joints for
// PIP flexion `pip`.
std::array<std::array<double, 2>, 4> curled(double pip, const std::array<double, 3>& segment) {
  std::array<std::array<double, 2>, 4> j{};
  double heading = 0;  // below the horizontal, radians
  const double bend[3] = {0.0, pip, kDipOverPip * pip};
  for (int s = 0; s < 3; ++s) {
    heading += bend[s];
    j[s + 1] = {j[s][0] + segment[s] * std::cos(heading), j[s][1] - segment[s] * std::sin(heading)};
  }
  return j;
}

}  // namespace

std::array<std::array<double, 3>, 4> curved_finger(const std::array<double, 3>& base, const std::array<double, 3>& tip,
                                                   double length) {
  const std::array<double, 3> segment = {length * kJointFraction[0], length * (kJointFraction[1] - kJointFraction[0]),
                                         length * (kJointFraction[2] - kJointFraction[1])};
  const double dx = tip[0] - base[0], dy = tip[1] - base[1], dz = tip[2] - base[2];
  const double ahead = std::hypot(dx, dy), reach = std::hypot(ahead, dz);
  // The base -> tip distance shrinks as the PIP flexes (0..kMaxPipRad): bisect for it.
  auto distance = [&](double pip) {
    const auto j = curled(pip, segment);
    return std::hypot(j[3][0], j[3][1]);
  };
  double lo = 0, hi = kMaxPipRad;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (distance(mid) > reach ? lo : hi) = mid;
  }
  const auto j = curled(0.5 * (lo + hi), segment);
  // Turn the shape about the base so that its tip points at the target, then into the keyboard.
  const double turn = std::atan2(dz, ahead) - std::atan2(j[3][1], j[3][0]);
  const double fx = ahead > 1e-9 ? dx / ahead : 0.0, fy = ahead > 1e-9 ? dy / ahead : -1.0;  // forward, level
  std::array<std::array<double, 3>, 4> out{};
  for (int k = 0; k < 4; ++k) {
    const double r = j[k][0] * std::cos(turn) - j[k][1] * std::sin(turn);
    const double z = j[k][0] * std::sin(turn) + j[k][1] * std::cos(turn);
    out[k] = {base[0] + r * fx, base[1] + r * fy, base[2] + z};
  }
  return out;
}

torch::Tensor hand_keypoints_3d(const Score& score, const Pianist& p, double seconds, double rate_hz, FingerShape shape) {
  const auto frames = static_cast<int64_t>(std::llround(seconds * rate_hz));
  torch::Tensor out = torch::empty({frames, kNumKeypoints, 3}, torch::kDouble);
  auto acc = out.accessor<double, 3>();
  const double spacing = p.finger_spacing_mm;
  HandTrajectory hand(score, spacing);

  std::array<std::vector<const Note*>, 5> by_finger;
  for (const Note& n : score.notes) by_finger[n.finger - 1].push_back(&n);
  std::array<size_t, 5> cursor{};

  const bool curved = shape == FingerShape::kCurved;
  // The curved hand: level, higher and further forward (its fingers reach less far).
  const double palm_z = curved ? kCurvedPalmHeightMm * p.hand_scale : 40.0, forward = curved ? kCurvedForwardMm : 0.0;
  for (int64_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    const double hx = hand.x_at(t);
    const Vec3 wrist{hx + 5, 120 * p.hand_scale - forward, palm_z};
    acc[i][0][0] = wrist.x;
    acc[i][0][1] = wrist.y;
    acc[i][0][2] = wrist.z;
    for (int f = 0; f < 5; ++f) {
      // Base of the finger's chain: the thumb's CMC joint, the other fingers' knuckles.
      const Vec3 base = f == 0 ? Vec3{hx - 1.5 * spacing, 90 * p.hand_scale - forward, palm_z - 18}
                               : Vec3{hx + (f - 2) * 0.85 * spacing, 35 * p.hand_scale - forward, palm_z};
      const Vec3 home{hx + (f - 2) * spacing - (f == 0 ? 0.3 * spacing : 0), f == 0 ? -15.0 : kHomeYMm,
                      f == 0 ? 0.6 * p.rest_height_mm : p.rest_height_mm};
      // The note this finger is playing, about to play, or just played.
      auto& notes = by_finger[f];
      size_t& c = cursor[f];
      while (c < notes.size() && key_motion_end_s(*notes[c]) + kRecoverS < t) ++c;
      Vec3 tip = home;
      if (c < notes.size()) {
        const Note& n = *notes[c];
        const Vec3 key{key_x_mm(n.key), key_strike_y_mm(n.key), 0.0};
        const double start = key_motion_start_s(n), end = key_motion_end_s(n);
        if (t >= start && t <= end) {
          tip = {key.x, key.y, -kKeyDipMm * key_depth(n, t)};  // riding the key surface
        } else if (t < start && t >= start - kPrepareS) {
          const double s = (t - (start - kPrepareS)) / kPrepareS;
          tip = lerp(home, key, smoothstep(s));
          tip.z = home.z * (1 - s) + p.lift_mm * std::sin(M_PI * s);
        } else if (t > end) {
          tip = lerp(key, home, smoothstep((t - end) / kRecoverS));
        }
      }
      const double length = kFingerLengthMm[f] * p.hand_scale;
      const int first = 1 + 4 * f;
      if (curved) {
        const auto joints = curved_finger({base.x, base.y, base.z}, {tip.x, tip.y, tip.z}, length);
        for (int j = 0; j < 4; ++j)
          for (int d = 0; d < 3; ++d) acc[i][first + j][d] = joints[static_cast<size_t>(j)][static_cast<size_t>(d)];
        continue;
      }
      // Joints between base and tip, bowed upwards by the slack of the finger's length.
      const double dx = tip.x - base.x, dy = tip.y - base.y, dz = tip.z - base.z;
      const double slack = std::sqrt(std::max(0.0, length * length - (dx * dx + dy * dy + dz * dz)));
      for (int j = 0; j < 4; ++j) {
        const double s = j == 0 ? 0.0 : kJointFraction[j - 1];
        Vec3 q = lerp(base, tip, s);
        q.z += 0.5 * slack * std::sin(M_PI * s);
        acc[i][first + j][0] = q.x;
        acc[i][first + j][1] = q.y;
        acc[i][first + j][2] = q.z;
      }
    }
  }
  return out;
}

CameraImages film_hand(const torch::Tensor& keypoints_3d, std::mt19937_64& rng) {
  constexpr double kCx = 640, kCy = 360;
  constexpr double kTopHeightMm = 700, kTopFocalPx = 1100;      // above the keyboard, looking down
  constexpr double kSideDistanceMm = 900, kSideFocalPx = 1400;  // right of the hand, looking left
  constexpr double kPixelNoise = 1.2, kDropStart = 0.004;
  const double center_x = key_x_mm(45);  // the cameras frame the keyboard's middle

  const int64_t frames = keypoints_3d.size(0);
  auto k3 = keypoints_3d.accessor<double, 3>();
  CameraImages img{torch::empty({frames, kNumKeypoints, 3}), torch::empty({frames, kNumKeypoints, 3})};
  std::normal_distribution<double> noise(0.0, kPixelNoise);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (torch::Tensor* view : {&img.top, &img.right}) {
    const bool top = view == &img.top;
    auto a = view->accessor<float, 3>();
    int dropped_left = 0;
    for (int64_t i = 0; i < frames; ++i) {
      if (dropped_left == 0 && unit(rng) < kDropStart) dropped_left = 1 + static_cast<int>(unit(rng) * 8);
      const bool dropped = dropped_left > 0 && i > 0;
      if (dropped_left > 0) --dropped_left;
      const double confidence = 0.85 + 0.15 * unit(rng);
      for (int k = 0; k < kNumKeypoints; ++k) {
        if (dropped) {  // the detector lost the hand: keep the last coordinates, confidence 0
          a[i][k][0] = a[i - 1][k][0];
          a[i][k][1] = a[i - 1][k][1];
          a[i][k][2] = 0.0f;
          continue;
        }
        const double x = k3[i][k][0], y = k3[i][k][1], z = k3[i][k][2];
        double u, v;
        if (top) {
          u = kCx + kTopFocalPx * (x - center_x) / (kTopHeightMm - z);
          v = kCy + kTopFocalPx * (y - 20) / (kTopHeightMm - z);
        } else {
          const double depth = center_x + kSideDistanceMm - x;
          u = kCx - kSideFocalPx * (y - 20) / depth;
          v = kCy - kSideFocalPx * (z - 30) / depth;  // image y grows downwards: lower in space = larger v
        }
        a[i][k][0] = static_cast<float>(u + noise(rng));
        a[i][k][1] = static_cast<float>(v + noise(rng));
        a[i][k][2] = static_cast<float>(confidence);
      }
    }
  }
  return img;
}

}  // namespace pianokpm::synth
