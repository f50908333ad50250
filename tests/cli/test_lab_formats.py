"""BIDS-EMG output read back as a lab would: the EDF+/BDF+ files with MNE (Debian's python3-mne),
the sidecars against the BIDS 1.11 EMG rules (required fields, column order), the keystroke
events against the key depth they come from (ctest: cli/lab_formats)."""
import csv
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

mne = pytest.importorskip("mne")

ROOT = Path(os.environ.get("PIANOKPM_ROOT", Path(__file__).resolve().parents[2]))
BIN = os.environ.get("PIANOKPM_BIN", str(ROOT / "build" / "bin" / "pianokpm"))
C3D_EMG = ROOT / "tests" / "fixtures" / "c3d" / "1123x01EMG.c3d"
MUSCLES = ["ADM", "PB", "1DI", "2DI", "3DI", "4DI"]
# BIDS 1.11, EMG: the _emg.json fields the specification makes REQUIRED.
REQUIRED_SIDECAR = ["EMGPlacementScheme", "EMGReference", "SamplingFrequency", "PowerLineFrequency", "RecordingType",
                    "SoftwareFilters", "TaskName"]


def cli(*args, check=True):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and r.returncode != 0:
        raise AssertionError(f"exit {r.returncode}: {r.stderr}")
    return r


def read_tsv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[0], rows[1:]


def check_sidecars(stem, channel_type, channels):
    sidecar = json.loads(Path(f"{stem}_emg.json").read_text())
    for field in REQUIRED_SIDECAR:
        assert field in sidecar, field
    assert sidecar["EMGPlacementScheme"] in ("ChannelSpecific", "Measured", "Other")
    if sidecar["EMGPlacementScheme"] == "Other":
        assert sidecar["EMGPlacementSchemeDescription"]
    assert sidecar["RecordingType"] == "continuous"
    header, rows = read_tsv(f"{stem}_channels.tsv")
    assert header[:3] == ["name", "type", "units"]  # the order BIDS requires
    assert [r[0] for r in rows] == channels
    assert {r[1] for r in rows} == {channel_type}
    assert sidecar["EMGChannelCount"] == sum(r[1] == "EMG" for r in rows)
    return sidecar, header, rows


def key_onsets(depth, rate, bed=0.95):
    """Independent reading of the key depth: each key's upward crossings of the bed depth."""
    down = depth >= bed
    onsets = []
    for k in range(depth.shape[1]):
        starts = np.flatnonzero(down[1:, k] & ~down[:-1, k]) + 1
        if down[0, k]:
            starts = np.r_[0, starts]
        onsets += [(s / rate, k + 21) for s in starts]
    return sorted(onsets)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """One synthetic performance of 6 s: keypoints, key depth, MIDI."""
    out = tmp_path_factory.mktemp("corpus")
    cli("synth", "--out", out, "--pianists", 1, "--tasks", 1, "--takes", 1, "--seconds", 6, "--seed", 9)
    return out


def test_predict_bids_opens_in_mne_with_events(tmp_path, corpus):
    out = tmp_path / "emg.csv"
    bids = tmp_path / "bids"
    keys = corpus / "keystroke_data/t1_p1_1.pkl"
    cli("predict", "--model", ROOT / "assets/models/synthetic_top_pose_keys.pt", "--pose-top",
        corpus / "hand_data/keyp_top/t1_p1_1.pkl", "--keys", keys, "-o", out,
        "--bids", bids, "--bids-subject", "p1", "--bids-task", "scales", "--bids-run", "1")
    estimate = np.loadtxt(out, delimiter=",", skiprows=1)
    stem = bids / "sub-p1/emg/sub-p1_task-scales_run-1_desc-estimated"
    raw = mne.io.read_raw_edf(f"{stem}_emg.edf", preload=True, verbose="error")
    assert raw.ch_names == MUSCLES
    assert raw.info["sfreq"] == 1024
    n = estimate.shape[0]
    assert raw.n_times == int(np.ceil(n / 1024)) * 1024  # whole 1-s records
    data = raw.get_data()[:, :n]
    # 16-bit quantisation over each channel's range
    step = (estimate.max(axis=0) - estimate.min(axis=0)) / 65535
    assert np.all(np.abs(data - estimate.T).max(axis=1) <= step + 1e-7)

    sidecar, header, rows = check_sidecars(stem, "MISC", MUSCLES)  # estimates are never typed EMG
    assert sidecar["EMGChannelCount"] == 0
    assert sidecar["SamplingFrequency"] == 1024
    assert sidecar["TaskName"] == "scales"
    assert sidecar["EstimatedBy"]["trained_on_synthetic_data"] is True
    assert "not measured" in rows[0][header.index("description")]
    assert abs(sidecar["RecordingDuration"] - n / 1024) < 1e-9

    header, events = read_tsv(f"{stem}_events.tsv")
    assert header[:2] == ["onset", "duration"]
    depth = np.load(keys, allow_pickle=True)
    depth = np.asarray(depth, dtype=np.float32).reshape(-1, 88)
    expected = key_onsets(depth, 1024)
    got = [(float(e[0]), int(e[header.index("key")])) for e in events]
    assert len(got) == len(expected) > 0
    assert all(abs(a[0] - b[0]) < 1e-3 and a[1] == b[1] for a, b in zip(got, expected))
    assert all(float(e[1]) > 0 and 1 <= int(e[header.index("velocity")]) <= 127 for e in events)
    # The same keystrokes as EDF+ annotations, for EDFbrowser: onset, duration and the note.
    keys = [a for a in raw.annotations if a["description"].startswith("key ")]
    assert len(keys) == len(events)
    assert n % 1024 == 0 and "EDFPaddingSeconds" not in sidecar  # 6 s: whole records, nothing padded
    for a, e in zip(sorted(keys, key=lambda a: (a["onset"], a["description"])),
                    sorted(events, key=lambda e: (float(e[0]), "key " + e[header.index("note")]))):
        assert abs(a["onset"] - float(e[0])) < 1e-4 and abs(a["duration"] - float(e[1])) < 1e-4
        assert a["description"] == "key " + e[header.index("note")]

    description = json.loads((bids / "dataset_description.json").read_text())
    assert description["Name"] and description["BIDSVersion"] >= "1.11"
    assert description["DatasetType"] == "derivative"
    assert description["GeneratedBy"][0]["Name"] == "pianokpm"


def test_measured_c3d_envelope_as_24_bit_bdf(tmp_path):
    """pianokpm emg on another writer's C3D: channels typed EMG, 24 bits, long labels cut to 16."""
    bids = tmp_path / "bids"
    out = tmp_path / "env.npy"
    cli("emg", "-i", C3D_EMG, "--channels", "1,2,3,4,5,6", "--notch", "50", "-o", out, "--bids", bids, "--bids-bdf")
    envelope = np.load(out)
    stem = bids / "sub-01/emg/sub-01_task-piano_desc-envelope"
    raw = mne.io.read_raw_bdf(f"{stem}_emg.bdf", preload=True, verbose="error")
    assert raw.ch_names[0] == "Right Rectus Fem"
    n = envelope.shape[0]
    # 4673 rows: the last 1-s record is padded, and both the file and the sidecar say so.
    padding = [a for a in raw.annotations if a["description"] == "padding, not data"]
    assert len(padding) == 1 and abs(padding[0]["onset"] - n / 1024) < 1e-4
    sidecar = json.loads(Path(f"{stem}_emg.json").read_text())
    assert abs(padding[0]["duration"] - sidecar["EDFPaddingSeconds"]) < 1e-4
    assert abs(sidecar["RecordingDuration"] + sidecar["EDFPaddingSeconds"] - raw.n_times / 1024) < 1e-9
    step = (envelope.max(axis=0) - envelope.min(axis=0)) / (2**24 - 1)
    assert np.all(np.abs(raw.get_data()[:, :n] - envelope.T).max(axis=1) <= step + 1e-9)
    sidecar, header, rows = check_sidecars(stem, "EMG", raw.ch_names)
    assert sidecar["EMGChannelCount"] == 6
    assert sidecar["PowerLineFrequency"] == 50
    assert sidecar["SoftwareFilters"]["Notch"]["Frequency (Hz)"] == 50
    assert rows[1][header.index("target_muscle")] == "Right Biceps Femoris Caput Longu"  # the file's own label
    assert {r[header.index("units")] for r in rows} == {"arbitrary"}  # normalised
    assert not Path(f"{stem}_events.tsv").exists()  # no keys, no events
    # Not normalised: the source's units (mV), in channels.tsv and the EDF's physical dimension.
    cli("emg", "-i", C3D_EMG, "--channels", "1,2", "--normalise", "none", "--bids", bids, "--bids-task", "raw")
    stem = bids / "sub-01/emg/sub-01_task-raw_desc-envelope"
    header, rows = read_tsv(f"{stem}_channels.tsv")
    assert {r[header.index("units")] for r in rows} == {"mV"} and "normalised" not in rows[0][header.index("description")]
    assert mne.io.read_raw_edf(f"{stem}_emg.edf", verbose="error")._orig_units["Right Rectus Fem"] == "mV"


def test_bad_bids_options_are_refused_before_anything_is_written(tmp_path):
    for option, value, says in (("--bids-subject", "p_1", "letters and digits"), ("--bids-run", "x1", "digits only")):
        r = cli("emg", "-i", C3D_EMG, "--channels", "1,2", "--bids", tmp_path / "b", option, value, "-o",
                tmp_path / "env.csv", check=False)
        assert r.returncode == 2 and option in r.stderr and says in r.stderr, r.stderr
        assert not (tmp_path / "b").exists() and not (tmp_path / "env.csv").exists()
    (tmp_path / "file").write_text("not a folder")
    r = cli("emg", "-i", C3D_EMG, "--channels", "1,2", "--bids", tmp_path / "file", "-o", tmp_path / "env.csv", check=False)
    assert r.returncode == 2 and "cannot use as the BIDS folder" in r.stderr, r.stderr
    assert not (tmp_path / "env.csv").exists()


def test_rewriting_without_keys_drops_the_old_events(tmp_path, corpus):
    bids = tmp_path / "bids"
    top = corpus / "hand_data/keyp_top/t1_p1_1.pkl"
    cli("predict", "--pose-top", top, "--midi", corpus / "midi/t1_p1_1.mid", "--bids", bids)
    events = bids / "sub-01/emg/sub-01_task-piano_desc-estimated_events.tsv"
    assert events.exists()
    cli("predict", "--pose-top", top, "--bids", bids)
    assert not events.exists() and not events.with_suffix(".json").exists()


def test_batch_writes_one_bids_subject_per_row(tmp_path, corpus):
    manifest = tmp_path / "rows.csv"
    top = corpus / "hand_data/keyp_top/t1_p1_1.pkl"
    manifest.write_text(f"name,pose_top,midi\nt1_p1_1,{top},{corpus / 'midi/t1_p1_1.mid'}\ntake2,{top},\n")
    bids = tmp_path / "bids"
    cli("batch", "--manifest", manifest, "-o", tmp_path / "out", "--model", ROOT / "assets/models/synthetic_top_pose.pt",
        "--bids", bids, "--bids-task", "scales")
    # One subject (--bids-subject), each row a run numbered by its place in the manifest.
    for run, row, with_events in ((1, "t1_p1_1", True), (2, "take2", False)):
        stem = bids / f"sub-01/emg/sub-01_task-scales_run-{run}_desc-estimated"
        raw = mne.io.read_raw_edf(f"{stem}_emg.edf", verbose="error")
        assert raw.ch_names == MUSCLES
        assert Path(f"{stem}_events.tsv").exists() == with_events
        assert json.loads(Path(f"{stem}_emg.json").read_text())["EstimatedBy"]["manifest_row"] == row
    assert json.loads((bids / "dataset_description.json").read_text())["DatasetType"] == "derivative"
    # A second run finds every row done (the BIDS file is one of a row's outputs) and skips them.
    cli("batch", "--manifest", manifest, "-o", tmp_path / "out", "--model",
            ROOT / "assets/models/synthetic_top_pose.pt", "--bids", bids, "--bids-task", "scales")
    summary = json.loads((tmp_path / "out/batch_summary.json").read_text())
    assert summary["skipped"] == summary["rows"] == 2


def test_predict_from_c3d_markers(tmp_path):
    """Keypoints straight from a C3D trial's markers (the sample gait trial's markers stand in for a
    hand's): 450 frames at 50 fps are 8.98 s, 539 frames at 60 fps, 9199 rows at 1024 Hz."""
    markers = ROOT / "tests/fixtures/c3d/Eb015pi.c3d"
    labels = ["RFT1", "RFT2", "RFT3", "LFT1", "LFT2", "LFT3", "RSK1", "RSK2", "RSK3", "RSK4", "LSK1", "LSK2", "LSK3",
              "LSK4", "RTH1", "RTH2", "RTH3", "RTH4", "LTH1", "LTH2", "LTH3"]
    # This gait trial loses some markers for up to 0.82 s: refused by default (the first, LFT1, for
    # 0.5 s), bridged when allowed.
    (tmp_path / "map.json").write_text(json.dumps({"keypoints": labels}))
    r = cli("predict", "--pose-top", markers, "--c3d-markers", tmp_path / "map.json", "-o", tmp_path / "emg.npy",
            check=False)
    assert r.returncode == 2 and "'LFT1' is lost for 0.50 s at once, longer than max_gap_s 0.25 s" in r.stderr, r.stderr
    assert not (tmp_path / "emg.npy").exists()
    (tmp_path / "map.json").write_text(json.dumps({"keypoints": labels, "max_gap_s": 1}))
    cli("predict", "--pose-top", markers, "--c3d-markers", tmp_path / "map.json", "-o", tmp_path / "emg.npy")
    emg = np.load(tmp_path / "emg.npy")
    assert emg.shape == (round(539 / 60 * 1024), 6) and np.isfinite(emg).all()
    r = cli("predict", "--pose-top", markers, "-o", tmp_path / "x.npy", check=False)
    assert r.returncode == 2 and "--c3d-markers" in r.stderr
    # batch: the same mapping for every row whose pose is a C3D file; the same estimate.
    (tmp_path / "rows.csv").write_text(f"name,pose_top\ngait,{markers}\n")
    cli("batch", "--manifest", tmp_path / "rows.csv", "-o", tmp_path / "out", "--format", "npy", "--c3d-markers",
        tmp_path / "map.json")
    assert np.allclose(np.load(tmp_path / "out/gait.npy"), emg, atol=1e-5)  # threads sum in another order
