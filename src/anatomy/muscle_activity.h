#pragma once
// From a hand's motion and the keys' push on its fingertips to the activation of its muscles:
// inverse kinematics (anatomy/hand_angles.h), the torque each joint needs, and static optimisation
// (anatomy/static_optimisation.h) over the muscles that cross it.
//
// A joint needs   tau = I q'' + c q' + k (q - rest) + (the fingertip's push about it),
// inertia, damping and passive stiffness of the joint, with the angles low-passed before they are
// differentiated (keypoint jitter would otherwise dominate q''). Gravity is left out: a finger
// weighs a few grams.
#include <array>
#include <optional>
#include <vector>

#include "anatomy/hand_angles.h"
#include "anatomy/static_optimisation.h"

namespace pianokpm::anatomy {

constexpr int kReleaseMuscles = 6;  // ADM, PB (APB), 1DI, 2DI, 3DI, 4DI
using ReleaseActivation = std::array<double, kReleaseMuscles>;
using FingertipForces = std::array<double, kNumChains>;  // N, thumb..little

struct JointMechanics {
  double mcp_flexion_stiffness = 0.10;                                              // N m / rad, fingers
  std::array<double, kNumChains> mcp_flexion_rest_rad = {0.0, 0.6, 0.6, 0.6, 0.6};  // curved fingers (index..little)
  double mcp_abduction_stiffness = 0.06;                                            // N m / rad
  double thumb_stiffness = 0.08;                                                    // N m / rad, each thumb degree of freedom
  double damping = 0.002;                                                           // N m s / rad
  double finger_inertia = 2e-5;                                                     // kg m^2 about the MCP joint
  double thumb_inertia = 4e-5;                                                      // kg m^2 about the CMC joint
  // While a fingertip is pushed, the knuckle is also held against a sideways torque of this
  // fraction of the flexion torque it needs (the thumb: of its CMC abduction torque), either way:
  // the interossei co-contract to keep it from giving way (each activation is the larger of the
  // solutions with the sideways torque to either side).
  double lateral_stability = 0.3;
  // Of a thumb's push on its key, the share its CMC joint holds: pianists turn the forearm into a
  // thumb stroke, which carries the rest (and MyoHand lacks two of the thenar muscles that would
  // share the CMC's load, flexor pollicis brevis and adductor pollicis).
  double thumb_push_cmc_share = 0.4;
  double smoothing_hz = 12.0;  // low-pass of the angles before differentiation
  RestPosture rest;
  StaticOptimisationOptions solver;
  void check() const;
};

struct MuscleActivity {
  std::vector<ReleaseActivation> release;  // [T] activation 0..1 of the six release muscles
  std::vector<HandAngles> angles;          // [T] joint angles (radians, less rest), low-passed
  std::vector<HandAngles> torque;          // [T] torque each degree of freedom needs (N m)
};

// keypoints: [T] hands in millimetres, sampled at rate_hz. tip_force: [T] or empty (no keys).
// push_direction: the keys' push as a unit vector in the keypoints' frame; nullopt: away from
// the palm (-n), right for a hand playing palm down.
MuscleActivity muscle_activity(const std::vector<HandPoints>& keypoints, double rate_hz,
                               const std::vector<FingertipForces>& tip_force, const std::optional<Point3>& push_direction,
                               const JointMechanics& mechanics = {}, const HandMuscles& muscles = HandMuscles::shipped());

}  // namespace pianokpm::anatomy
