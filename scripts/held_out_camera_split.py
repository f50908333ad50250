#!/usr/bin/env python3
"""Writes a held-out split of a `synth --cameras varied` corpus that keeps another camera family out
of training than the one the seed chose: CORPUS/dataset_held_out_FAMILY.json, with the same unseen
pianists and task, the chosen family's performances of seen pianists and tasks as
test_cross_camera, and the seed's held-out family's performances moved into training.
Usage: scripts/held_out_camera_split.py CORPUS FAMILY   (families: docs/synthetic-data.md)"""
import json
import sys
from pathlib import Path

corpus, unseen = Path(sys.argv[1]), sys.argv[2]
held = json.loads((corpus / "dataset_held_out.json").read_text())


def family(name):
    return json.loads((corpus / "meta" / (name[:-4] + ".json")).read_text())["camera_top"]["family"]


split = {
    "train": [f for f in held["train"] + held["test_cross_camera"] if family(f) != unseen],
    "val": [f for f in held["val"] if family(f) != unseen],
    "test_cross_user": [f for f in held["test_cross_user"] if family(f) != unseen],
    "test_cross_task": [f for f in held["test_cross_task"] if family(f) != unseen],
    "test_cross_camera": [f for f in held["train"] + held["val"] if family(f) == unseen],
    "held_out_pianists": held["held_out_pianists"],
    "held_out_tasks": held["held_out_tasks"],
    "held_out_cameras": [unseen],
}
out = corpus / f"dataset_held_out_{unseen}.json"
out.write_text(json.dumps(split, indent=2) + "\n")
print(out, {k: len(v) for k, v in split.items()})
