#!/usr/bin/env python3
"""Plots the six release muscles' moment arms from assets/anatomy/myohand_moment_arms.json.

Usage: /usr/bin/python3 tools/myohand_moment_arms/plot.py OUT.png
Points: MyoHand's moment arms as MuJoCo computes them at the table's grid; lines: the bilinear
interpolation pianokpm uses between them (anatomy/hand_muscles.cpp), at three flexion angles.
APB, which MyoHand lacks, is drawn as the constant arms pianokpm adds.
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
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_title(f"{label} (MyoHand {name}, {g['muscles'][name]['max_force_n']:.0f} N)")
    ax.set_xlabel("MCP abduction (deg, + towards the thumb)")
    ax.set_ylabel("moment arm (mm)")
axes.flat[0].legend(fontsize=7, title="solid: abduction, dashed: flexion", title_fontsize=7)
ax = axes.flat[5]
ax.bar(["CMC\nflexion", "CMC palmar\nabduction", "MP\nflexion"], [3.0, 12.0, 4.0], color="tab:purple")
ax.set_title("PB = APB (added, not in MyoHand), 26 N")
ax.set_ylabel("moment arm (mm)")
fig.suptitle("Moment arms of the six muscles: MyoHand's (points, MuJoCo) and pianokpm's interpolation (lines)")
fig.savefig(sys.argv[1], dpi=80)
