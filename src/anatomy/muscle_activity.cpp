#include "anatomy/muscle_activity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "signal/butterworth.h"

namespace pianokpm::anatomy {

namespace {

// Torque (N m) the muscles must add about `axis` through `joint` to hold a fingertip pushed by
// `force` (N, vector) at `tip` (mm).
double push_demand(const Point3& joint, const Point3& tip, const Point3& force, const Point3& axis) {
  const Point3 moment = cross(scale(sub(tip, joint), 1e-3), force);
  return -dot(moment, axis);
}

}  // namespace

void JointMechanics::check() const {
  auto positive = [](double v, const char* what) {
    if (!(v > 0) || !std::isfinite(v)) throw std::invalid_argument(std::string("joint mechanics: ") + what + " must be positive");
  };
  positive(mcp_flexion_stiffness, "mcp_flexion_stiffness");
  positive(mcp_abduction_stiffness, "mcp_abduction_stiffness");
  positive(thumb_stiffness, "thumb_stiffness");
  positive(damping, "damping");
  positive(finger_inertia, "finger_inertia");
  positive(thumb_inertia, "thumb_inertia");
  positive(smoothing_hz, "smoothing_hz");
  if (!(thumb_push_cmc_share >= 0 && thumb_push_cmc_share <= 1))
    throw std::invalid_argument("joint mechanics: thumb_push_cmc_share must be 0..1");
  if (!(lateral_stability >= 0 && lateral_stability <= 1))
    throw std::invalid_argument("joint mechanics: lateral_stability must be 0..1");
  rest.check();
  solver.check();
}

MuscleActivity muscle_activity(const std::vector<HandPoints>& kp, double rate_hz, const std::vector<FingertipForces>& tip_force,
                               const std::optional<Point3>& push_direction, const JointMechanics& m, const HandMuscles& muscles) {
  m.check();
  if (!(rate_hz > 2 * m.smoothing_hz)) throw std::invalid_argument("muscle activity: rate_hz must exceed twice smoothing_hz");
  if (!tip_force.empty() && tip_force.size() != kp.size())
    throw std::invalid_argument("muscle activity: tip_force and keypoints differ in length");
  const size_t T = kp.size();
  MuscleActivity out;
  out.angles.resize(T);
  for (size_t t = 0; t < T; ++t) out.angles[t] = hand_angles(kp[t], m.rest);
  // Low-pass every angle, then differentiate.
  const auto lowpass = design_butterworth({FilterKind::kLowPass, 2, m.smoothing_hz, 0, rate_hz});
  std::array<std::array<std::vector<double>, kMaxDofs>, kNumChains> q, qd, qdd;
  for (int c = 0; c < kNumChains; ++c) {
    for (int d = 0; d < num_dofs(c); ++d) {
      std::vector<double> x(T);
      for (size_t t = 0; t < T; ++t) x[t] = out.angles[t][c][d];
      if (T > 12) sos_filtfilt(lowpass, x);  // zero-phase: the angles keep their timing
      std::vector<double> v(T, 0.0), a(T, 0.0);
      for (size_t t = 1; t + 1 < T; ++t) {
        v[t] = (x[t + 1] - x[t - 1]) * rate_hz / 2;
        a[t] = (x[t + 1] - 2 * x[t] + x[t - 1]) * rate_hz * rate_hz;
      }
      for (size_t t = 0; t < T; ++t) out.angles[t][c][d] = x[t];
      q[c][d] = std::move(x), qd[c][d] = std::move(v), qdd[c][d] = std::move(a);
    }
  }
  const auto release = muscles.release_muscles();
  out.release.assign(T, ReleaseActivation{});
  out.torque.assign(T, HandAngles{});
  for (size_t t = 0; t < T; ++t) {
    const PalmFrame f = palm_frame(kp[t]);
    const Point3 push_dir = push_direction ? *push_direction : scale(f.n, -1.0);
    for (int c = 0; c < kNumChains; ++c) {
      const int dofs = num_dofs(c);
      std::vector<double> tau(dofs);
      for (int d = 0; d < dofs; ++d) {
        const bool thumb = c == kThumb;
        const double k =
            thumb ? m.thumb_stiffness : (d == kFingerMcpFlexion ? m.mcp_flexion_stiffness : m.mcp_abduction_stiffness);
        const double rest = !thumb && d == kFingerMcpFlexion ? m.mcp_flexion_rest_rad[c] : 0.0;
        tau[d] = (thumb ? m.thumb_inertia : m.finger_inertia) * qdd[c][d][t] + m.damping * qd[c][d][t] + k * (q[c][d][t] - rest);
      }
      const double push = tip_force.empty() ? 0.0 : tip_force[t][c];
      if (push != 0) {
        const Point3 force = scale(push_dir, push);
        const Point3 tip = kp[t][4 + 4 * c];
        if (c == kThumb) {
          const Point3 meta = normalised(sub(kp[t][2], kp[t][1]));
          const Point3 cmc_force = scale(force, m.thumb_push_cmc_share);
          tau[kThumbCmcFlexion] += push_demand(kp[t][1], tip, cmc_force, scale(f.n, -1.0));
          tau[kThumbCmcAbduction] += push_demand(kp[t][1], tip, cmc_force, normalised(cross(meta, f.n)));
          tau[kThumbMpFlexion] += push_demand(kp[t][2], tip, force, normalised(cross(meta, f.n)));
        } else {
          // Flexion turns the finger from u towards n: about u x n = -v.
          tau[kFingerMcpFlexion] += push_demand(kp[t][1 + 4 * c], tip, force, scale(f.v, -1.0));
          tau[kFingerMcpAbduction] += push_demand(kp[t][1 + 4 * c], tip, force, f.n);
        }
      }
      const auto arms = muscles.moment_arms_mm(c, out.angles[t][c]);
      const auto& ms = muscles.muscles(c);
      std::vector<std::vector<double>> A(dofs, std::vector<double>(ms.size()));
      for (int d = 0; d < dofs; ++d)
        for (size_t i = 0; i < ms.size(); ++i) A[d][i] = arms[d][i] * 1e-3 * ms[i].max_force_n;
      auto act = optimal_activations(A, tau, m.solver);
      if (push != 0 && m.lateral_stability > 0) {
        // Ready for a slip to either side: about the abduction axis (a finger's MCP, the thumb's
        // CMC flexion, which swings it across the palm).
        const int side = c == kThumb ? kThumbCmcFlexion : kFingerMcpAbduction;
        const double lever = c == kThumb ? std::abs(tau[kThumbCmcAbduction]) : std::abs(tau[kFingerMcpFlexion]);
        for (double sign : {-1.0, 1.0}) {
          std::vector<double> slipped = tau;
          slipped[side] += sign * m.lateral_stability * lever;
          const auto held = optimal_activations(A, slipped, m.solver);
          for (size_t i = 0; i < act.size(); ++i) act[i] = std::max(act[i], held[i]);
        }
      }
      for (int r = 0; r < kReleaseMuscles; ++r)
        if (release[r].first == c) out.release[t][r] = act[release[r].second];
      for (int d = 0; d < dofs; ++d) out.torque[t][c][d] = tau[d];
    }
  }
  return out;
}

}  // namespace pianokpm::anatomy
