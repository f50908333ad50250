// The hand model as anatomy describes it: signs of the moment arms, joint angles recovered from a
// hand built by forward kinematics, and the muscle each isolated movement and press recruits.
#include "anatomy/muscle_activity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <functional>

namespace pianokpm::anatomy {
namespace {

constexpr int kAdm = 0, kPb = 1, k1di = 2, k2di = 3, k3di = 4, k4di = 5;
const char* const kReleaseName[6] = {"ADM", "PB", "1DI", "2DI", "3DI", "4DI"};

using V = std::array<double, 3>;
V add(V a, V b, double s = 1) { return {a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]}; }
V mul(V a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }

// A right hand by forward kinematics, in its own palm frame (u distal, v radial, n palmar), then
// placed in the world by an orthonormal frame (ex, ey, ez) and an origin. Angles less rest as
// hand_angles reports them; lengths in mm.
struct Pose {
  double flexion[5] = {0, 0.6, 0.6, 0.6, 0.6};  // fingers: MCP flexion (rad)
  double abduction[5] = {};                     // fingers: MCP abduction from rest (radial +)
  double thumb_flexion = 0, thumb_abduction = 0, thumb_mp = 0.3;
};
HandPoints build_hand(const Pose& pose, V origin = {0, 0, 0}, V ex = {1, 0, 0}, V ey = {0, 1, 0}, V ez = {0, 0, 1}) {
  const RestPosture rest;
  HandPoints local{};
  auto put = [&](int k, V p) { local[k] = p; };
  put(0, {0, 0, 0});
  const double mcp_v[5] = {0, 22, 0, -18, -34};  // radial offsets of the knuckles (middle on the axis)
  const double mcp_u[5] = {0, 80, 80, 80, 80};   // the knuckles on a line across the palm
  for (int c = 1; c <= 4; ++c) {
    const V mcp = {mcp_u[c], mcp_v[c], 0};
    const double fl = pose.flexion[c], ab = pose.abduction[c] + rest.mcp_abduction[c];
    const V dir = {std::cos(fl) * std::cos(ab), std::cos(fl) * std::sin(ab), std::sin(fl)};
    put(1 + 4 * c, mcp);
    put(2 + 4 * c, add(mcp, dir, 40));
    put(3 + 4 * c, add(mcp, dir, 65));
    put(4 + 4 * c, add(mcp, dir, 85));
  }
  const double tf = pose.thumb_flexion + rest.thumb_flexion, ta = pose.thumb_abduction + rest.thumb_abduction;
  const V t = {std::cos(ta) * std::cos(tf), -std::cos(ta) * std::sin(tf), std::sin(ta)};
  const V cmc = {25, 15, 5};
  const V thumb_mcp = add(cmc, t, 40);
  // MP flexion: the phalanx turns from the metacarpal towards the palm (n less its part along t).
  const double tn = t[2];
  const double wn = std::sqrt(1 - tn * tn);
  const V w = {-tn * t[0] / wn, -tn * t[1] / wn, (1 - tn * tn) / wn};
  const V s = add(mul(t, std::cos(pose.thumb_mp)), w, std::sin(pose.thumb_mp));
  put(1, cmc);
  put(2, thumb_mcp);
  put(3, add(thumb_mcp, s, 32));
  put(4, add(thumb_mcp, s, 55));
  HandPoints world{};
  for (int k = 0; k < 21; ++k) {
    // local (u, v, n) -> world: u along ey, v along ex, n along ez would be left-handed for a
    // right hand; use u = ex, v = ey, n = ez (u x v = n).
    world[k] = add(add(add(origin, ex, local[k][0]), ey, local[k][1]), ez, local[k][2]);
  }
  return world;
}

TEST(HandMuscles, MomentArmSignsAreAnatomical) {
  const HandMuscles& h = HandMuscles::shipped();
  auto arm = [&](int chain, const std::string& name, int dof) {
    const auto& ms = h.muscles(chain);
    for (size_t i = 0; i < ms.size(); ++i)
      if (ms[i].name == name) return h.moment_arms_mm(chain, {0.3, 0.0, 0.0})[dof][i];
    ADD_FAILURE() << "no muscle " << name;
    return 0.0;
  };
  // Dorsal interossei and ADM abduct away from the middle finger's axis; the extensors extend.
  EXPECT_GT(arm(kIndex, "RI2", kFingerMcpAbduction), 2.0);       // 1DI: radial
  EXPECT_GT(arm(kMiddle, "RI3", kFingerMcpAbduction), 2.0);      // 2DI: radial
  EXPECT_LT(arm(kMiddle, "UI_UB3", kFingerMcpAbduction), -2.0);  // 3DI: ulnar
  EXPECT_LT(arm(kRing, "UI_UB4", kFingerMcpAbduction), -2.0);    // 4DI: ulnar
  EXPECT_LT(arm(kLittle, "UI_UB5", kFingerMcpAbduction), -2.0);  // ADM: ulnar
  for (int c = kIndex; c <= kLittle; ++c) {
    EXPECT_GT(arm(c, "FDS" + std::to_string(c + 1), kFingerMcpFlexion), 4.0);
    EXPECT_LT(arm(c, "EDC" + std::to_string(c + 1), kFingerMcpFlexion), -4.0);
  }
  EXPECT_GT(arm(kThumb, "OP", kThumbCmcFlexion), 5.0);      // opponens: across the palm
  EXPECT_LT(arm(kThumb, "EPB", kThumbCmcFlexion), -5.0);    // extensor brevis: back
  EXPECT_LT(arm(kThumb, "EPL", kThumbCmcAbduction), -5.0);  // extensor longus: adducts
  EXPECT_GT(arm(kThumb, "FPL", kThumbMpFlexion), 4.0);
  EXPECT_LT(arm(kThumb, "EPL", kThumbMpFlexion), -4.0);
  EXPECT_GT(arm(kThumb, "APB", kThumbCmcAbduction), 8.0);  // abductor pollicis brevis: mainly abducts
}

TEST(HandMuscles, InterpolatesTheShippedTableBetweenGridPoints) {
  std::ifstream in(std::string(PIANOKPM_FIXTURES) + "/../../assets/anatomy/myohand_moment_arms.json");
  ASSERT_TRUE(in) << "assets/anatomy/myohand_moment_arms.json";
  const auto j = nlohmann::json::parse(in);
  const auto& g = j["groups"]["mcp2"];
  const auto& grid0 = g["grid_rad"][0];
  const auto& grid1 = g["grid_rad"][1];
  const auto& ri2 = g["muscles"]["RI2"]["moment_arm_mm"];
  const HandMuscles& h = HandMuscles::shipped();
  size_t ri2_index = 0;
  while (h.muscles(kIndex)[ri2_index].name != "RI2") ++ri2_index;
  // On a grid point the table's value; half-way between four the mean of their values.
  const double q0 = grid0[3].get<double>(), q1 = grid1[2].get<double>();
  EXPECT_NEAR(h.moment_arms_mm(kIndex, {q0, q1, 0})[1][ri2_index], ri2[1][3][2].get<double>(), 1e-12);
  const double m0 = 0.5 * (grid0[3].get<double>() + grid0[4].get<double>());
  const double m1 = 0.5 * (grid1[2].get<double>() + grid1[3].get<double>());
  const double mean =
      0.25 * (ri2[1][3][2].get<double>() + ri2[1][4][2].get<double>() + ri2[1][3][3].get<double>() + ri2[1][4][3].get<double>());
  EXPECT_NEAR(h.moment_arms_mm(kIndex, {m0, m1, 0})[1][ri2_index], mean, 1e-12);
  // Beyond the grid the edge holds.
  EXPECT_NEAR(h.moment_arms_mm(kIndex, {-1.0, -1.0, 0})[1][ri2_index], ri2[1][0][0].get<double>(), 1e-12);
}

TEST(HandMuscles, RejectsABrokenTable) {
  EXPECT_THROW(HandMuscles::from_json("{", "t.json"), std::runtime_error);
  EXPECT_THROW(HandMuscles::from_json(R"({"groups": {}})", "t.json"), std::runtime_error);
}

TEST(HandAngles, RecoversTheAnglesAHandWasBuiltWith) {
  Pose pose;
  pose.flexion[1] = 0.9, pose.abduction[1] = 0.2, pose.abduction[3] = -0.15, pose.flexion[4] = 0.3;
  pose.thumb_flexion = 0.25, pose.thumb_abduction = -0.1, pose.thumb_mp = 0.5;
  // Any placement: turned, moved and scaled (the angles do not depend on the unit).
  const double a = 0.7, b = -0.4;
  const V ex = {std::cos(a), std::sin(a), 0};
  const V ey = {-std::sin(a) * std::cos(b), std::cos(a) * std::cos(b), std::sin(b)};
  const V ez = {std::sin(a) * std::sin(b), -std::cos(a) * std::sin(b), std::cos(b)};
  for (double scale : {1.0, 0.01}) {
    HandPoints p = build_hand(pose, {300, -20, 55}, mul(ex, scale), mul(ey, scale), mul(ez, scale));
    const HandAngles q = hand_angles(p);
    for (int c = kIndex; c <= kLittle; ++c) {
      EXPECT_NEAR(q[c][kFingerMcpFlexion], pose.flexion[c], 1e-9) << c;
      EXPECT_NEAR(q[c][kFingerMcpAbduction], pose.abduction[c], 1e-9) << c;
    }
    EXPECT_NEAR(q[kThumb][kThumbCmcFlexion], pose.thumb_flexion, 1e-9);
    EXPECT_NEAR(q[kThumb][kThumbCmcAbduction], pose.thumb_abduction, 1e-9);
    EXPECT_NEAR(q[kThumb][kThumbMpFlexion], pose.thumb_mp, 1e-9);
  }
  HandPoints flat{};
  EXPECT_THROW(hand_angles(flat), std::invalid_argument);
}

// One second at rest, then one movement over 0.3 s, held for 0.7 s; the activation of each
// release muscle, mean over the hold, less its mean at rest.
ReleaseActivation rise(const std::function<void(Pose&, double)>& move, const std::vector<FingertipForces>& force = {}) {
  constexpr double kRate = 200;
  std::vector<HandPoints> frames;
  for (int i = 0; i < 400; ++i) {
    const double t = i / kRate;
    const double s = std::clamp((t - 1.0) / 0.3, 0.0, 1.0);
    Pose pose;
    move(pose, s * s * (3 - 2 * s));
    frames.push_back(build_hand(pose, {0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}));
  }
  const auto act = muscle_activity(frames, kRate, force, std::nullopt);
  ReleaseActivation out{};
  for (int m = 0; m < 6; ++m) {
    double before = 0, during = 0;
    for (int i = 100; i < 180; ++i) before += act.release[i][m] / 80;
    for (int i = 300; i < 380; ++i) during += act.release[i][m] / 80;
    out[m] = during - before;
  }
  return out;
}

int strongest(const ReleaseActivation& r) { return static_cast<int>(std::max_element(r.begin(), r.end()) - r.begin()); }

TEST(MuscleActivity, EachIsolatedSidewaysMoveRecruitsItsAbductor) {
  struct Case {
    const char* move;
    std::function<void(Pose&, double)> apply;
    int muscle;
  };
  const double kSwing = 0.25;  // rad, about 14 degrees
  const Case cases[] = {
      {"index to the thumb side", [&](Pose& p, double s) { p.abduction[1] = kSwing * s; }, k1di},
      {"middle to the thumb side", [&](Pose& p, double s) { p.abduction[2] = kSwing * s; }, k2di},
      {"middle to the little-finger side", [&](Pose& p, double s) { p.abduction[2] = -kSwing * s; }, k3di},
      {"ring to the little-finger side", [&](Pose& p, double s) { p.abduction[3] = -kSwing * s; }, k4di},
      {"little finger out", [&](Pose& p, double s) { p.abduction[4] = -kSwing * s; }, kAdm},
      {"thumb away from the palm", [&](Pose& p, double s) { p.thumb_abduction = 0.4 * s; }, kPb},
  };
  for (const Case& c : cases) {
    const auto r = rise(c.apply);
    EXPECT_EQ(strongest(r), c.muscle) << c.move << ": " << kReleaseName[strongest(r)] << " rose most";
    EXPECT_GT(r[c.muscle], 0.005) << c.move;
  }
}

TEST(MuscleActivity, EachFingersPressRecruitsTheMuscleThatServesIt) {
  const int serves[5] = {kPb, k1di, k2di, k4di, kAdm};  // the middle finger: 2DI or 3DI
  for (int finger = 0; finger < 5; ++finger) {
    std::vector<FingertipForces> force(400, FingertipForces{});
    for (int i = 260; i < 400; ++i) force[i][finger] = 4.0;  // a held key, about 4 N
    const auto r = rise([](Pose&, double) {}, force);
    const int top = strongest(r);
    const bool ok = top == serves[finger] || (finger == kMiddle && top == k3di);
    EXPECT_TRUE(ok) << "finger " << finger << ": " << kReleaseName[top] << " rose most";
    EXPECT_GT(r[top], 0.01) << "finger " << finger;
  }
}

}  // namespace
}  // namespace pianokpm::anatomy
