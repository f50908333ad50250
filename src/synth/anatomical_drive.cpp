#include "synth/anatomical_drive.h"

#include <algorithm>
#include <cmath>

#include "synth/hand_model.h"
#include "synth/key_motion.h"
#include "synth/muscle_model.h"

namespace pianokpm::synth {

namespace {

constexpr double kKeyWeightN = 0.5;    // a key's resistance at rest (about 50 g)
constexpr double kStrikeQuietN = 3.0;  // extra push to reach the bed, pianissimo ..
constexpr double kStrikeLoudN = 20.0;  // .. fortissimo
constexpr double kBedImpactS = 0.02;   // the push peaks at the bed and falls over this long
constexpr double kHoldN = 1.0;         // holding a key down
// Scales the optimised activation to the normalised envelope: static optimisation finds the
// least activation that does the work; pianists use more (they do not play at the optimum), by
// about this much in the first dorsal interosseous during keystrokes.
constexpr double kEffortOverOptimum = 2.5;

double strike_force(int velocity) { return kStrikeQuietN + (kStrikeLoudN - kStrikeQuietN) * std::pow(velocity / 127.0, 1.5); }

std::vector<anatomy::HandPoints> to_points(const torch::Tensor& k3) {
  auto a = k3.accessor<double, 3>();
  std::vector<anatomy::HandPoints> out(static_cast<size_t>(k3.size(0)));
  for (int64_t i = 0; i < k3.size(0); ++i)
    for (int k = 0; k < kNumKeypoints; ++k) out[i][k] = {a[i][k][0], a[i][k][1], a[i][k][2]};
  return out;
}

}  // namespace

torch::Tensor fingertip_forces(const Score& score, double seconds, double rate_hz) {
  const auto rows = static_cast<int64_t>(std::llround(seconds * rate_hz));
  torch::Tensor f = torch::zeros({rows, kNumFingers}, torch::kDouble);
  auto a = f.accessor<double, 2>();
  for (const Note& n : score.notes) {
    const double start = key_motion_start_s(n), bed = n.t_bed_s;
    const double strike = strike_force(n.velocity);
    const auto first = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(start * rate_hz)));
    const auto last = std::min<int64_t>(rows - 1, static_cast<int64_t>(std::floor(n.t_release_s * rate_hz)));
    for (int64_t i = first; i <= last; ++i) {
      const double t = static_cast<double>(i) / rate_hz;
      double push;
      if (t < bed) {
        const double s = (t - start) / std::max(1e-6, bed - start);
        push = kKeyWeightN + strike * s * s;
      } else {
        push = kHoldN + strike * std::max(0.0, 1.0 - (t - bed) / kBedImpactS);
      }
      double& cell = a[i][n.finger - 1];
      cell = std::max(cell, push);
    }
  }
  return f;
}

anatomy::JointMechanics pianist_mechanics(const Pianist& pianist) {
  const torch::Tensor home = hand_keypoints_3d(Score{}, pianist, 0.1, 100.0, finger_shape(3));
  anatomy::RestPosture zero;
  zero.mcp_abduction = {};
  zero.thumb_flexion = zero.thumb_abduction = 0;
  const anatomy::HandAngles q = anatomy::hand_angles(to_points(home.narrow(0, 0, 1))[0], zero);
  anatomy::JointMechanics m;
  for (int c = anatomy::kIndex; c <= anatomy::kLittle; ++c) {
    m.rest.mcp_abduction[c] = q[c][anatomy::kFingerMcpAbduction];
    m.mcp_flexion_rest_rad[c] = q[c][anatomy::kFingerMcpFlexion];
  }
  m.rest.thumb_flexion = q[anatomy::kThumb][anatomy::kThumbCmcFlexion];
  m.rest.thumb_abduction = q[anatomy::kThumb][anatomy::kThumbCmcAbduction];
  return m;
}

torch::Tensor anatomical_excitation(const Score& score, const Pianist& p, double seconds, double rate_hz, std::mt19937_64& rng,
                                    const MuscleDrive& extras) {
  const torch::Tensor k3 = hand_keypoints_3d(score, p, seconds, kMechanicsRateHz, finger_shape(3));
  const torch::Tensor force = fingertip_forces(score, seconds, kMechanicsRateHz);
  std::vector<anatomy::FingertipForces> tip(static_cast<size_t>(force.size(0)));
  auto fa = force.accessor<double, 2>();
  for (size_t i = 0; i < tip.size(); ++i)
    for (int c = 0; c < kNumFingers; ++c) tip[i][c] = fa[static_cast<int64_t>(i)][c];
  const auto mech =
      anatomy::muscle_activity(to_points(k3), kMechanicsRateHz, tip, anatomy::Point3{0, 0, 1}, pianist_mechanics(p));

  torch::Tensor e = muscle_excitation(score, p, seconds, rate_hz, rng, extras);
  double* pe = e.data_ptr<double>();
  const auto rows = e.size(0);
  const auto n = static_cast<int64_t>(mech.release.size());
  for (int64_t i = 0; i < rows && n > 0; ++i) {
    // Excitation now produces force one electromechanical delay later.
    const double x = (static_cast<double>(i) / rate_hz + p.emd_s) * kMechanicsRateHz;
    const auto i0 = std::clamp<int64_t>(static_cast<int64_t>(std::floor(x)), 0, n - 1);
    const auto i1 = std::min<int64_t>(i0 + 1, n - 1);
    const double s = std::clamp(x - static_cast<double>(i0), 0.0, 1.0);
    for (int m = 0; m < kNumMuscles; ++m) {
      const double a = mech.release[i0][m] * (1 - s) + mech.release[i1][m] * s;
      pe[i * kNumMuscles + m] = std::clamp(pe[i * kNumMuscles + m] + kEffortOverOptimum * p.gain[m] * a, 0.0, 1.0);
    }
  }
  return e;
}

}  // namespace pianokpm::synth
