#!/usr/bin/env python3
"""Plots the six release muscles' moment arms from assets/anatomy/myohand_moment_arms.json.

Usage: /usr/bin/python3 tools/myohand_moment_arms/plot.py OUT.png
Points: MyoHand's moment arms as MuJoCo computes them at the table's grid; lines: the bilinear
interpolation pianokpm uses between them (anatomy/hand_muscles.cpp), at three flexion angles.
APB, which MyoHand lacks, is drawn as the constant arms pianokpm adds. Black: measured values, as
tabulated by later papers (the originals could not be read here): the first dorsal interosseous at
45 degrees of MCP flexion, neutral abduction (An et al. 1983, one cadaver, in Valero-Cuevas, Zajac &
Burgar 1998, J Biomech 31:693, Table 1); APB in two thumb postures, mean +- SD (Smutz et al. 1998, in
Valero-Cuevas, Johanson & Towles 2003, J Biomech 36:1019, Table 1).
"""
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
table = json.loads((ROOT / "assets/anatomy/myohand_moment_arms.json").read_text())

MUSCLES = [("ADM", "mcp5", "UI_UB5"), ("1DI", "mcp2", "RI2"), ("2DI", "mcp3", "RI3"), ("3DI", "mcp3", "UI_UB3"),
           ("4DI", "mcp4", "UI_UB4")]
MEASURED_1DI_ABDUCTION_MM, MEASURED_1DI_FLEXION_MM = 6.77, 2.00
# APB (Smutz et al. 1998): CMC flexion, CMC abduction, MP flexion; key pinch and opposition postures.
MEASURED_APB_MM = {"key pinch": ([3.93, 16.5, 0.7], [3.10, 6.93, 2.90]),
                   "opposition": ([4.20, 13.2, 0.7], [3.40, 7.50, 2.90])}
fig, axes = plt.subplots(2, 3, figsize=(12, 7), constrained_layout=True)
for ax, (label, group, name) in zip(axes.flat, MUSCLES):
    g = table["groups"][group]
    flex, abd = (np.degrees(np.array(a)) for a in g["grid_rad"])
    arms = np.array(g["muscles"][name]["moment_arm_mm"])  # [dof, flexion, abduction]
    for i, colour in zip([0, 3, 6], ["tab:blue", "tab:orange", "tab:green"]):
        ax.plot(abd, arms[1, i], "o", color=colour, ms=4)
        fine = np.linspace(abd[0], abd[-1], 61)
        ax.plot(fine, np.interp(fine, abd, arms[1, i]), "-", color=colour, lw=1,
                label=f"abduction arm, MCP flexed {flex[i]:.0f} deg")
        ax.plot(abd, arms[0, i], "s", color=colour, ms=3, alpha=0.5)
        ax.plot(fine, np.interp(fine, abd, arms[0, i]), "--", color=colour, lw=1, alpha=0.5)
    if label == "1DI":
        # MyoHand at the measurement's posture (45 deg flexion: between grid rows 4 and 5, abduction 0)
        at45 = 0.5 * (arms[:, 4, 3] + arms[:, 5, 3])
        print(f"1DI at 45 deg MCP flexion: MyoHand abduction {at45[1]:.2f} mm, flexion {at45[0]:.2f} mm; "
              f"measured {MEASURED_1DI_ABDUCTION_MM} and {MEASURED_1DI_FLEXION_MM}")
        ax.plot([0], [MEASURED_1DI_ABDUCTION_MM], "k*", ms=11, label="An et al. 1983, MCP flexed 45 deg: abduction")
        ax.plot([0], [MEASURED_1DI_FLEXION_MM], "kX", ms=8, label="... and flexion")
        ax.plot([0.6], [at45[1]], "*", mfc="none", mec="k", ms=11, label="MyoHand at 45 deg: abduction")
        ax.plot([0.6], [at45[0]], "X", mfc="none", mec="k", ms=8, label="... and flexion")
        ax.legend(handles=ax.get_lines()[-4:], fontsize=7, loc="lower left")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_title(f"{label} (MyoHand {name}, {g['muscles'][name]['max_force_n']:.0f} N)")
    ax.set_xlabel("MCP abduction (deg, + towards the thumb)")
    ax.set_ylabel("moment arm (mm)")
axes.flat[0].legend(fontsize=7, title="solid: abduction, dashed: flexion", title_fontsize=7)
ax = axes.flat[5]
dofs = ["CMC\nflexion", "CMC palmar\nabduction", "MP\nflexion"]
ax.bar(dofs, [3.0, 12.0, 4.0], color="tab:purple", alpha=0.6, label="pianokpm (constant)")
for shift, marker, (posture, (mean, sd)) in zip([-0.15, 0.15], ["ko", "ks"], MEASURED_APB_MM.items()):
    ax.errorbar(np.arange(3) + shift, mean, yerr=sd, fmt=marker, ms=5, capsize=3, label=f"Smutz et al. 1998, {posture}")
ax.legend(fontsize=7)
ax.set_title("PB = APB (added, not in MyoHand), 26 N")
ax.set_ylabel("moment arm (mm)")
fig.suptitle("Moment arms of the six muscles: MyoHand's (points, MuJoCo) and pianokpm's interpolation (lines)")
fig.savefig(sys.argv[1], dpi=80)
