#!/usr/bin/env python3
"""Which muscle rises most when one finger moves, for each model, on the tracked finger moves.

Usage: /usr/bin/python3 tools/finger_moves/score_moves.py PIANOKPM MOVES_DIR MODEL.pt...
MOVES_DIR holds moves.json (make_moves.py) and kp_MOVE.npy per move (`pianokpm pose -v MOVES_DIR/MOVE
--fps 30 -o kp_MOVE.npy`). Prints, per model and move, the muscle whose envelope rose most from the
still hand (0-0.8 s) to the held move (1.6-3 s), and the count of moves where it is the one
anatomy names.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

MUSCLES = ["ADM", "PB", "1DI", "2DI", "3DI", "4DI"]
RATE = 1024  # envelope rows per second


def main():
    binary, moves_dir, models = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3:]
    moves = json.loads((moves_dir / "moves.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        for model in models:
            hits = {"swing": [0, 0], "press": [0, 0]}
            print(f"\n{pathlib.Path(model).name}")
            for m in moves:
                out = pathlib.Path(tmp) / f"{m['move']}.npy"
                subprocess.run([binary, "predict", "--model", model, "--pose-top", str(moves_dir / f"kp_{m['move']}.npy"),
                                "--out", str(out)], check=True, capture_output=True)
                emg = np.load(out).reshape(-1, 6)
                rise = emg[int(1.6 * RATE):int(3.0 * RATE)].mean(0) - emg[:int(0.8 * RATE)].mean(0)
                top = MUSCLES[int(np.argmax(rise))]
                ok = top in m["muscle"].split("|")
                kind = m["move"].split("_")[0]
                hits[kind][0] += ok
                hits[kind][1] += 1
                print(f"  {m['move']:22s} expects {m['muscle']:8s} top {top:4s} {'yes' if ok else 'no '}  rise "
                      + " ".join(f"{MUSCLES[i]} {rise[i]:+.3f}" for i in range(6)))
            print(f"  sideways: {hits['swing'][0]} of {hits['swing'][1]}; presses: {hits['press'][0]} of {hits['press'][1]}")


if __name__ == "__main__":
    main()
