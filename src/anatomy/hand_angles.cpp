#include "anatomy/hand_angles.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm::anatomy {

namespace {

Point3 unit(const Point3& a, const char* what) {
  const double len = std::sqrt(dot(a, a));
  if (!(len > 1e-9) || !std::isfinite(len)) throw std::invalid_argument(std::string("hand angles: degenerate ") + what);
  return {a[0] / len, a[1] / len, a[2] / len};
}

}  // namespace

void RestPosture::check() const {
  for (double a : mcp_abduction)
    if (!(std::abs(a) < 0.5)) throw std::invalid_argument("rest posture: mcp_abduction must be within 0.5 rad");
  if (!(std::abs(thumb_flexion) < 1.6) || !(std::abs(thumb_abduction) < 1.6))
    throw std::invalid_argument("rest posture: thumb angles must be within 1.6 rad");
}

PalmFrame palm_frame(const HandPoints& p) {
  PalmFrame f;
  // The two radial knuckles' mean less the two ulnar ones': one knuckle's jitter turns it half as much.
  const Point3 radial = {p[5][0] + p[9][0], p[5][1] + p[9][1], p[5][2] + p[9][2]};
  const Point3 ulnar = {p[13][0] + p[17][0], p[13][1] + p[17][1], p[13][2] + p[17][2]};
  f.v = unit(sub(radial, ulnar), "palm (little to index MCP)");
  const Point3 up = sub(p[9], p[0]);
  const double along = dot(up, f.v);
  f.u = unit({up[0] - along * f.v[0], up[1] - along * f.v[1], up[2] - along * f.v[2]}, "palm (wrist to middle MCP)");
  f.n = cross(f.u, f.v);
  return f;
}

HandAngles hand_angles(const HandPoints& p, const RestPosture& rest) {
  for (const auto& q : p)
    for (double x : q)
      if (!std::isfinite(x)) throw std::invalid_argument("hand angles: keypoint is not finite");
  const PalmFrame f = palm_frame(p);
  HandAngles out{};
  for (int c = kIndex; c <= kLittle; ++c) {
    const Point3 d = unit(sub(p[2 + 4 * c], p[1 + 4 * c]), "finger (MCP to PIP)");
    const double du = dot(d, f.u), dv = dot(d, f.v), dn = dot(d, f.n);
    out[c][kFingerMcpFlexion] = std::atan2(dn, std::hypot(du, dv));
    out[c][kFingerMcpAbduction] = std::atan2(dv, du) - rest.mcp_abduction[c];
  }
  const Point3 t = unit(sub(p[2], p[1]), "thumb metacarpal");
  const double tu = dot(t, f.u), tv = dot(t, f.v), tn = dot(t, f.n);
  out[kThumb][kThumbCmcFlexion] = std::atan2(-tv, tu) - rest.thumb_flexion;
  out[kThumb][kThumbCmcAbduction] = std::atan2(tn, std::hypot(tu, tv)) - rest.thumb_abduction;
  const Point3 s = unit(sub(p[3], p[2]), "thumb proximal phalanx");
  out[kThumb][kThumbMpFlexion] = std::acos(std::clamp(dot(t, s), -1.0, 1.0));
  return out;
}

}  // namespace pianokpm::anatomy
