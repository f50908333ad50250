"""The folder the documentation's examples run in: the repository's assets/, configs/, scripts/ and
tests/ and the build (as build/), `pianokpm` on PATH, and small files under the names the examples
use. Everything is made here, in seconds, from the shipped video, the official reference
performance and small synthetic corpora."""
import json
import pickle
import struct
import subprocess
from pathlib import Path

import numpy as np

# The examples' videos last this long (seconds), and so do their MIDI and measured EMG.
CLIP_SECONDS = 4
# A BioSemi BDF file's digital range (24-bit samples).
BDF_DIGITAL_MAX = 8388607


def _link(target, name):
    name = Path(name)
    name.parent.mkdir(parents=True, exist_ok=True)
    if not name.exists():
        name.symlink_to(Path(target).resolve())


def _synth(binary, out, *args):
    subprocess.run([binary, "synth", "--out", str(out), *map(str, args)], check=True, stdout=subprocess.DEVNULL)


def _first(corpus, split_set="train"):
    split = json.loads((corpus / "dataset_architectural.json").read_text())
    return split[split_set][0].removesuffix(".pkl")


def _load(path):
    with open(path, "rb") as f:
        return np.asarray(pickle.load(f))


def write_keypoints_csv(path, keypoints):
    """[T, 21, C] to CSV: a header, then x0,y0,c0,... per frame."""
    frames = keypoints.reshape(len(keypoints), 21, -1)
    header = ",".join(f"{a}{j}" for j in range(21) for a in "xyc"[: frames.shape[2]])
    np.savetxt(path, frames.reshape(len(frames), -1), delimiter=",", header=header, comments="", fmt="%.3f")


def write_bdf(path, signals, rate_hz, labels):
    """signals [N, channels] in mV to a BioSemi BDF file, one 1-s record per second."""
    samples, channels = signals.shape
    records = samples // int(rate_hz)
    signals = signals[: records * int(rate_hz)]
    peak = float(np.abs(signals).max()) or 1.0

    def fields(values, width):
        return b"".join(str(v).ljust(width).encode() for v in values)

    head = b"\xffBIOSEMI" + b"docs example".ljust(80) + b"synthetic".ljust(80) + b"06.12.2612.00.00"
    head += str(256 * (channels + 1)).ljust(8).encode() + b"24BIT".ljust(44)
    head += str(records).ljust(8).encode() + b"1".ljust(8) + str(channels).ljust(4).encode()
    head += fields(labels, 16) + fields(["AgAgCl electrode"] * channels, 80) + fields(["mV"] * channels, 8)
    head += fields([f"{-peak:.4f}"[:8]] * channels, 8) + fields([f"{peak:.4f}"[:8]] * channels, 8)
    head += fields([-BDF_DIGITAL_MAX - 1] * channels, 8) + fields([BDF_DIGITAL_MAX] * channels, 8)
    head += fields([""] * channels, 80) + fields([int(rate_hz)] * channels, 8) + fields([""] * channels, 32)
    digital = np.round(signals / peak * BDF_DIGITAL_MAX).astype(np.int32)
    body = bytearray()
    for r in range(records):
        block = digital[r * int(rate_hz): (r + 1) * int(rate_hz)]
        for c in range(channels):
            body += b"".join(struct.pack("<i", int(v))[:3] for v in block[:, c])
    Path(path).write_bytes(head + bytes(body))


def make(work, binary, root, build):
    work, root = Path(work), Path(root)
    work.mkdir(parents=True, exist_ok=True)
    for shared in ("assets", "configs", "scripts", "tests"):
        _link(root / shared, work / shared)
    _link(build, work / "build")
    _link(binary, work / "bin" / "pianokpm")

    # The release's layout: the official reference weights and performance.
    official = root / "tests" / "fixtures" / "official"
    _link(official / "state_dict.pth", work / "architectural_eval_model.pth")
    for stream in ("hand_data", "keystroke_data", "emg_data"):
        _link(official / "performance" / stream, work / stream)

    # Videos: the first seconds of the shipped clip of a real hand, under every name the examples use.
    clip = work / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(root / "assets" / "demo" / "hand_moving.mp4"), "-t",
                    str(CLIP_SECONDS), "-an", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    str(clip)], check=True)
    for name in ("top.mp4", "my.mp4", "take.mp4", "take3.mp4"):
        _link(clip, work / name)

    # A small corpus for train, ensemble, adapt and batch; a person's calibration recordings.
    corpus = work / "corpus"
    if not (corpus / "corpus.json").exists():
        _synth(binary, corpus, "--pianists", 3, "--tasks", 2, "--takes", 2, "--seconds", 4, "--seed", 1)
    person = work / "person"
    if not (person / "corpus.json").exists():
        _synth(binary, person, "--pianists", 3, "--tasks", 2, "--takes", 2, "--seconds", 4, "--seed", 7)
        split = json.loads((person / "dataset_architectural.json").read_text())
        (person / "split.json").write_text(json.dumps({"train": split["train"], "val": split["val"]}, indent=1))

    # A performance as long as the video: its MIDI, keys, keypoints and measured EMG.
    take = work / "take_as_long_as_the_video"
    if not (take / "corpus.json").exists():
        _synth(binary, take, "--pianists", 1, "--tasks", 1, "--takes", 1, "--seconds", CLIP_SECONDS, "--seed", 3)
    take_name = next((take / "midi").glob("*.mid")).stem
    for alias in ("performance.mid", "take.mid"):
        _link(take / "midi" / f"{take_name}.mid", work / alias)
    _link(take / "keystroke_data" / f"{take_name}.pkl", work / "keys.pkl")
    _link(take / "hand_data" / "keyp_top" / f"{take_name}.pkl", work / "keypoints.pkl")
    measured = _load(take / "emg_data" / f"{take_name}.pkl")
    np.savetxt(work / "measured.csv", measured.reshape(len(measured), -1), delimiter=",",
               header="ADM,PB,1DI,2DI,3DI,4DI", comments="", fmt="%.6f")
    np.save(work / "measured.npy", measured.reshape(len(measured), -1).astype(np.float32))

    # One lab recording for `convert`: keypoints as CSV, MIDI, raw EMG as a 6-channel BDF.
    name = _first(corpus)
    write_keypoints_csv(work / "top.csv", _load(corpus / "hand_data" / "keyp_top" / f"{name}.pkl"))
    write_keypoints_csv(work / "right.csv", _load(corpus / "hand_data" / "keyp_right" / f"{name}.pkl"))
    _link(corpus / "midi" / f"{name}.mid", work / "take1.mid")
    raw = _load(corpus / "emg_raw" / f"{name}.pkl")
    write_bdf(work / "take1.bdf", raw.reshape(len(raw), -1), 2000, ["ADM", "APB", "FDI1", "FDI2", "FDI3", "FDI4"])

    # A lab's C3D files: EMG-only (8 analog channels at 1000 Hz) and marker trajectories, with a
    # mapping of 21 of its markers to the hand's keypoints (gait markers stand in for hand ones).
    fixtures = root / "tests" / "fixtures" / "c3d"
    _link(fixtures / "1123x01EMG.c3d", work / "session.c3d")
    _link(fixtures / "Eb015pi.c3d", work / "markers.c3d")
    gait = ["RFT1", "RFT2", "RFT3", "LFT1", "LFT2", "LFT3", "RSK1", "RSK2", "RSK3", "RSK4", "LSK1", "LSK2",
            "LSK3", "LSK4", "RTH1", "RTH2", "RTH3", "RTH4", "LTH1", "LTH2", "LTH3"]
    (work / "hand_markers.json").write_text(json.dumps({"keypoints": gait, "up": "z", "max_gap_s": 1}))

    # A batch manifest (paths relative to it) and an MPI host file for one machine.
    rows = ["name,pose_top,pose_right,keys"]
    for n in sorted(p.stem for p in (corpus / "keystroke_data").glob("*.pkl"))[:4]:
        rows.append(f"{n},corpus/hand_data/keyp_top/{n}.pkl,corpus/hand_data/keyp_right/{n}.pkl,"
                    f"corpus/keystroke_data/{n}.pkl")
    (work / "takes.csv").write_text("\n".join(rows) + "\n")
    (work / "hosts").write_text("localhost slots=4\n")
    # An ensemble of two shipped top-camera models, calibrated on the corpus's val set.
    models = root / "assets" / "models"
    subprocess.run([binary, "ensemble", "--models", str(models / "synthetic_top_pose.pt"),
                    str(models / "synthetic_top_pose_stream.pt"), "--data", str(corpus), "--split",
                    str(corpus / "dataset_architectural.json"), "--set", "val", "--out", str(work / "top_ensemble.json")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _link(root / "assets" / "models" / "synthetic_top_pose_keys.pt", work / "my_model.pt")
    return work


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("work")
    p.add_argument("--bin", required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--build", required=True)
    a = p.parse_args()
    make(a.work, a.bin, a.root, a.build)
