#include "anatomy/hand_muscles.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "anatomy/anatomy_assets.h"

namespace pianokpm::anatomy {

namespace {

constexpr const char* kGroup[kNumChains] = {"cmc1", "mcp2", "mcp3", "mcp4", "mcp5"};

// The release's six muscles as MyoHand names them: the radial interossei of the index and middle
// fingers are the first and second dorsal interossei, the ulnar ones of the middle and ring fingers
// the third and fourth; the little finger's ulnar intrinsic does what abductor digiti minimi does.
struct ReleaseMuscle {
  int chain;
  const char* name;
};
constexpr ReleaseMuscle kReleaseMuscle[6] = {{kLittle, "UI_UB5"}, {kThumb, "APB"},     {kIndex, "RI2"},
                                             {kMiddle, "RI3"},    {kMiddle, "UI_UB3"}, {kRing, "UI_UB4"}};

// Abductor pollicis brevis, which MyoHand lacks: mainly a palmar abductor of the CMC joint, with
// smaller flexion moments at the CMC and MP joints (docs/anatomy.md gives the sources).
constexpr double kApbMaxForceN = 25.8;
constexpr double kApbArmMm[3] = {3.0, 12.0, 4.0};  // CMC flexion, CMC palmar abduction, MP flexion

// Maps MyoHand's thumb degrees of freedom to ours (docs/anatomy.md): its `cmc_abduction` turns the
// metacarpal the way opponens flexes and EPB extends it (our CMC flexion, sign flipped), its
// `cmc_flexion` the way APL abducts and EPL adducts it (our palmar abduction), and its
// `mp_flexion` counts extension as positive.
double thumb_arm(const std::vector<double>& myo_arms_by_dof, int our_dof) {
  switch (our_dof) {
    case kThumbCmcFlexion: return -myo_arms_by_dof[0];
    case kThumbCmcAbduction: return myo_arms_by_dof[1];
    default: return -myo_arms_by_dof[2];
  }
}

size_t bracket(const std::vector<double>& grid, double x, double& frac) {
  if (x <= grid.front()) {
    frac = 0;
    return 0;
  }
  if (x >= grid.back()) {
    frac = 1;
    return grid.size() - 2;
  }
  const size_t i = static_cast<size_t>(std::upper_bound(grid.begin(), grid.end(), x) - grid.begin()) - 1;
  frac = (x - grid[i]) / (grid[i + 1] - grid[i]);
  return i;
}

}  // namespace

int num_dofs(int chain) { return chain == kThumb ? 3 : 2; }

std::string dof_name(int chain, int dof) {
  static const char* const kFinger[kNumChains] = {"thumb", "index", "middle", "ring", "little"};
  static const char* const kThumbDof[3] = {"CMC flexion", "CMC abduction", "MP flexion"};
  static const char* const kFingerDof[2] = {"MCP flexion", "MCP abduction"};
  return std::string(kFinger[chain]) + " " + (chain == kThumb ? kThumbDof[dof] : kFingerDof[dof]);
}

HandMuscles HandMuscles::from_json(const std::string& text, const std::string& what) {
  HandMuscles h;
  try {
    const auto j = nlohmann::json::parse(text);
    for (int c = 0; c < kNumChains; ++c) {
      const auto& g = j.at("groups").at(kGroup[c]);
      ChainData& cd = h.chains_[c];
      for (int a = 0; a < 2; ++a) cd.table.grid[a] = g.at("grid_rad").at(a).get<std::vector<double>>();
      const size_t n0 = cd.table.grid[0].size(), n1 = cd.table.grid[1].size();
      if (n0 < 2 || n1 < 2 || !std::is_sorted(cd.table.grid[0].begin(), cd.table.grid[0].end()) ||
          !std::is_sorted(cd.table.grid[1].begin(), cd.table.grid[1].end()))
        throw std::runtime_error(std::string(kGroup[c]) + ": grid_rad must be two increasing lists of 2+ angles");
      const size_t dofs_in_file = g.at("dofs").size();
      if (static_cast<int>(dofs_in_file) != num_dofs(c))
        throw std::runtime_error(std::string(kGroup[c]) + ": expected " + std::to_string(num_dofs(c)) + " dofs");
      for (const auto& [name, m] : g.at("muscles").items()) {
        const auto arms = m.at("moment_arm_mm").get<std::vector<std::vector<std::vector<double>>>>();
        if (arms.size() != dofs_in_file) throw std::runtime_error(name + ": moment_arm_mm has the wrong number of dofs");
        std::vector<double> flat(dofs_in_file * n0 * n1);
        for (size_t i = 0; i < n0; ++i) {
          for (size_t k = 0; k < n1; ++k) {
            std::vector<double> by_dof(dofs_in_file);
            for (size_t q = 0; q < dofs_in_file; ++q) {
              if (arms[q].size() != n0 || arms[q][i].size() != n1)
                throw std::runtime_error(name + ": moment_arm_mm does not match the grid");
              by_dof[q] = arms[q][i][k];
              if (!std::isfinite(by_dof[q])) throw std::runtime_error(name + ": moment arm is not finite");
            }
            for (size_t q = 0; q < dofs_in_file; ++q)
              flat[(q * n0 + i) * n1 + k] = c == kThumb ? thumb_arm(by_dof, static_cast<int>(q)) : by_dof[q];
          }
        }
        const double force = m.at("max_force_n").get<double>();
        if (!(force > 0)) throw std::runtime_error(name + ": max_force_n must be positive");
        cd.muscles.push_back({name, force, -1});
        cd.table.arms.push_back(std::move(flat));
        cd.constant_arms.emplace_back();
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(what + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
  ChainData& thumb = h.chains_[kThumb];
  thumb.muscles.push_back({"APB", kApbMaxForceN, -1});
  thumb.table.arms.emplace_back();
  thumb.constant_arms.emplace_back(std::begin(kApbArmMm), std::end(kApbArmMm));
  for (int r = 0; r < 6; ++r) {
    auto& ms = h.chains_[kReleaseMuscle[r].chain].muscles;
    auto it = std::find_if(ms.begin(), ms.end(), [&](const Muscle& m) { return m.name == kReleaseMuscle[r].name; });
    if (it == ms.end()) throw std::runtime_error(what + ": no muscle " + kReleaseMuscle[r].name);
    it->release_channel = r;
  }
  return h;
}

const HandMuscles& HandMuscles::shipped() {
  static const HandMuscles h = from_json(anatomy_assets::myohand_moment_arms, "assets/anatomy/myohand_moment_arms.json");
  return h;
}

std::vector<std::vector<double>> HandMuscles::moment_arms_mm(int chain, const ChainAngles& q) const {
  const ChainData& cd = chains_.at(chain);
  const int dofs = num_dofs(chain);
  // The table's axes: a finger's (MCP flexion, MCP abduction); the thumb's MyoHand (cmc_abduction,
  // cmc_flexion) = (-our CMC flexion, our palmar abduction), MP held straight.
  const double x0 = chain == kThumb ? -q[kThumbCmcFlexion] : q[kFingerMcpFlexion];
  const double x1 = chain == kThumb ? q[kThumbCmcAbduction] : q[kFingerMcpAbduction];
  double f0 = 0, f1 = 0;
  const size_t i = bracket(cd.table.grid[0], x0, f0), k = bracket(cd.table.grid[1], x1, f1);
  const size_t n0 = cd.table.grid[0].size(), n1 = cd.table.grid[1].size();
  std::vector<std::vector<double>> r(dofs, std::vector<double>(cd.muscles.size()));
  for (size_t m = 0; m < cd.muscles.size(); ++m) {
    for (int d = 0; d < dofs; ++d) {
      if (!cd.constant_arms[m].empty()) {
        r[d][m] = cd.constant_arms[m][d];
        continue;
      }
      const double* a = cd.table.arms[m].data() + static_cast<size_t>(d) * n0 * n1;
      const double lo = a[i * n1 + k] * (1 - f1) + a[i * n1 + k + 1] * f1;
      const double hi = a[(i + 1) * n1 + k] * (1 - f1) + a[(i + 1) * n1 + k + 1] * f1;
      r[d][m] = lo * (1 - f0) + hi * f0;
    }
  }
  return r;
}

std::array<std::pair<int, int>, 6> HandMuscles::release_muscles() const {
  std::array<std::pair<int, int>, 6> out{};
  for (int c = 0; c < kNumChains; ++c)
    for (size_t m = 0; m < chains_[c].muscles.size(); ++m)
      if (chains_[c].muscles[m].release_channel >= 0) out[chains_[c].muscles[m].release_channel] = {c, static_cast<int>(m)};
  return out;
}

}  // namespace pianokpm::anatomy
