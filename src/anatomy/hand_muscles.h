#pragma once
// The muscles that turn the knuckles, with moment arms that change with joint angle.
//
// Five chains (thumb, index, middle, ring, little), each with its own degrees of freedom:
//   fingers: MCP flexion (+ flexes), MCP abduction (+ towards the thumb, radial);
//   thumb:   CMC flexion (+ across the palm, opposition), CMC palmar abduction (+ away from the
//            palm), MP flexion (+ flexes).
// Angles in radians, moment arms in millimetres (+ when the muscle's pull turns the joint the
// positive way), forces in newtons. The finger and thumb muscles and their moment arms come from
// MyoHand (assets/anatomy/myohand_moment_arms.json, made by tools/myohand_moment_arms/); MyoHand
// has no abductor pollicis brevis, which is added from the literature (docs/anatomy.md).
#include <array>
#include <string>
#include <vector>

namespace pianokpm::anatomy {

enum Chain { kThumb = 0, kIndex = 1, kMiddle = 2, kRing = 3, kLittle = 4 };
constexpr int kNumChains = 5;
constexpr int kMaxDofs = 3;
constexpr int kFingerMcpFlexion = 0, kFingerMcpAbduction = 1;
constexpr int kThumbCmcFlexion = 0, kThumbCmcAbduction = 1, kThumbMpFlexion = 2;

// Joint angles of one chain (unused entries 0).
using ChainAngles = std::array<double, kMaxDofs>;
using HandAngles = std::array<ChainAngles, kNumChains>;

int num_dofs(int chain);
std::string dof_name(int chain, int dof);  // e.g. "index MCP abduction"

struct Muscle {
  std::string name;          // MyoHand's name (RI2, UI_UB5, ...), or APB
  double max_force_n = 0;    // maximal isometric force
  int release_channel = -1;  // 0..5 in the release's muscle order (ADM, PB, 1DI, 2DI, 3DI, 4DI), -1 for the others
};

class HandMuscles {
 public:
  // The shipped model: MyoHand's table plus APB.
  static const HandMuscles& shipped();
  // Parses a table written by tools/myohand_moment_arms/ (throws std::runtime_error naming `what`).
  static HandMuscles from_json(const std::string& text, const std::string& what);

  const std::vector<Muscle>& muscles(int chain) const { return chains_.at(chain).muscles; }
  // [num_dofs(chain)][muscles(chain).size()] moment arms (mm) at `angles`, bilinear in the table's
  // grid and held at its edges.
  std::vector<std::vector<double>> moment_arms_mm(int chain, const ChainAngles& angles) const;
  // The chain and index of each release channel's muscle.
  std::array<std::pair<int, int>, 6> release_muscles() const;

 private:
  struct Table {
    std::vector<double> grid[2];            // the two angles the table varies (MyoHand's axes)
    std::vector<std::vector<double>> arms;  // [muscle][dof * n0 * n1] mm, in our sign convention
  };
  struct ChainData {
    std::vector<Muscle> muscles;
    Table table;
    // APB (not in MyoHand): constant moment arms per degree of freedom.
    std::vector<std::vector<double>> constant_arms;  // [muscle][dof], empty for table muscles
  };
  std::array<ChainData, kNumChains> chains_;
};

}  // namespace pianokpm::anatomy
