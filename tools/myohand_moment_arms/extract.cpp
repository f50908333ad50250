// Moment arms of MyoHand's finger and thumb muscles over a grid of joint angles, computed with
// MuJoCo from the model's own muscle paths (tools/myohand_moment_arms/run.sh builds and runs it).
//
// Usage: extract MYOHAND_XML > myohand_moment_arms.json
// Output: {"source", "joints": {NAME: {"grid": [[q1...], [q2...]], "dofs": [...]}},
//          "muscles": {NAME: {"max_force_n", "moment_arm_mm": {GROUP: {DOF: [[...]]}}}}}
// A moment arm here is -dL/dq (metres of tendon shortening per radian, reported in mm): positive
// when the muscle's pull turns the joint the way the degree of freedom counts as positive.
#include <mujoco/mujoco.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Group {
  std::string name;               // e.g. "mcp2"
  std::string axis[2];            // the two swept joints
  std::vector<double> grid[2];    // radians
  std::vector<std::string> dofs;  // joints whose moment arms are recorded
};

std::vector<double> steps(double lo, double hi, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(lo + (hi - lo) * i / (n - 1));
  return v;
}

int joint(const mjModel* m, const std::string& name) {
  const int id = mj_name2id(m, mjOBJ_JOINT, name.c_str());
  if (id < 0) {
    std::fprintf(stderr, "extract: the model has no joint %s\n", name.c_str());
    std::exit(1);
  }
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: extract MYOHAND_XML\n");
    return 2;
  }
  char error[1000] = "";
  mjModel* m = mj_loadXML(argv[1], nullptr, error, sizeof error);
  if (!m) {
    std::fprintf(stderr, "extract: %s\n", error);
    return 1;
  }
  mjData* d = mj_makeData(m);
  const double deg = M_PI / 180;
  std::vector<Group> groups;
  for (int f = 2; f <= 5; ++f) {
    const std::string mcp = "mcp" + std::to_string(f);
    groups.push_back({mcp,
                      {mcp + "_flexion", mcp + "_abduction"},
                      {steps(0, 90 * deg, 10), steps(-15 * deg, 15 * deg, 7)},
                      {mcp + "_flexion", mcp + "_abduction"}});
  }
  groups.push_back({"cmc1",
                    {"cmc_abduction", "cmc_flexion"},
                    {steps(-0.5, 0.78, 9), steps(-0.78, 0.7, 9)},
                    {"cmc_abduction", "cmc_flexion", "mp_flexion"}});

  std::printf("{\"source\": \"MyoHand (MyoHub/myo_sim hand/myohand.xml, Apache-2.0), moment arms computed by MuJoCo %s\",\n",
              mj_versionString());
  std::printf(" \"groups\": {\n");
  for (size_t g = 0; g < groups.size(); ++g) {
    const Group& gr = groups[g];
    std::printf("  \"%s\": {\"axes\": [\"%s\", \"%s\"], \"grid_rad\": [", gr.name.c_str(), gr.axis[0].c_str(),
                gr.axis[1].c_str());
    for (int a = 0; a < 2; ++a) {
      std::printf("%s[", a ? ", " : "");
      for (size_t i = 0; i < gr.grid[a].size(); ++i) std::printf("%s%.6f", i ? ", " : "", gr.grid[a][i]);
      std::printf("]");
    }
    std::printf("],\n   \"dofs\": [");
    for (size_t i = 0; i < gr.dofs.size(); ++i) std::printf("%s\"%s\"", i ? ", " : "", gr.dofs[i].c_str());
    std::printf("],\n   \"muscles\": {\n");
    // Moment arms of every muscle at every grid point; muscles that never cross the group's
    // joints (all zero) are left out.
    const int j0 = joint(m, gr.axis[0]), j1 = joint(m, gr.axis[1]);
    std::vector<int> dof_index;
    for (const auto& name : gr.dofs) dof_index.push_back(m->jnt_dofadr[joint(m, name)]);
    const size_t n0 = gr.grid[0].size(), n1 = gr.grid[1].size();
    std::vector<std::vector<double>> arms(m->nu, std::vector<double>(gr.dofs.size() * n0 * n1));
    for (size_t i = 0; i < n0; ++i) {
      for (size_t k = 0; k < n1; ++k) {
        mj_resetData(m, d);
        d->qpos[m->jnt_qposadr[j0]] = gr.grid[0][i];
        d->qpos[m->jnt_qposadr[j1]] = gr.grid[1][k];
        mj_forward(m, d);
        for (int u = 0; u < m->nu; ++u)
          for (size_t q = 0; q < dof_index.size(); ++q)
            arms[u][(q * n0 + i) * n1 + k] = -1000.0 * d->actuator_moment[u * m->nv + dof_index[q]];
      }
    }
    bool first = true;
    for (int u = 0; u < m->nu; ++u) {
      double peak = 0;
      for (double v : arms[u]) peak = std::fmax(peak, std::fabs(v));
      if (peak < 0.05) continue;  // under 0.05 mm everywhere: does not cross these joints
      std::printf("%s    \"%s\": {\"max_force_n\": %.1f, \"moment_arm_mm\": [", first ? "" : ",\n",
                  mj_id2name(m, mjOBJ_ACTUATOR, u), m->actuator_gainprm[u * mjNGAIN + 2]);
      first = false;
      for (size_t q = 0; q < dof_index.size(); ++q) {
        std::printf("%s[", q ? ", " : "");
        for (size_t i = 0; i < n0; ++i) {
          std::printf("%s[", i ? ", " : "");
          for (size_t k = 0; k < n1; ++k) std::printf("%s%.3f", k ? ", " : "", arms[u][(q * n0 + i) * n1 + k]);
          std::printf("]");
        }
        std::printf("]");
      }
      std::printf("]}");
    }
    std::printf("\n   }}%s\n", g + 1 < groups.size() ? "," : "");
  }
  std::printf(" }\n}\n");
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
