"""pianokpm batch and pianokpm export, run as a user runs them (ctest: cli/batch_export, and
cli/batch_mpi under mpirun)."""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(os.environ.get("PIANOKPM_ROOT", Path(__file__).resolve().parents[2]))
BIN = os.environ.get("PIANOKPM_BIN", str(ROOT / "build" / "bin" / "pianokpm"))
OFFICIAL = ROOT / "tests" / "fixtures" / "official"
PERF = OFFICIAL / "performance"
MODEL = ROOT / "assets" / "models" / "synthetic_top_pose.pt"


def cli(*args, check=True, **kw):
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=900, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"exit {r.returncode}: {r.stderr}")
    return r


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """14 synthetic performances of 20 s (7 tasks x 2 pianists): top-camera keypoint files."""
    out = tmp_path_factory.mktemp("corpus")
    cli("synth", "--out", out, "--pianists", 2, "--takes", 1, "--seconds", 20)
    return out


def write_manifest(path, rows, header=("name", "pose_top")):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def good_rows(corpus):
    tops = sorted((corpus / "hand_data" / "keyp_top").glob("*.pkl"))
    return [(p.stem, os.path.relpath(p, corpus)) for p in tops]


def test_batch_equals_predict_reports_bad_rows_and_resumes(corpus, tmp_path):
    rows = good_rows(corpus)[:5]
    np.save(corpus / "flat.npy", np.zeros((100, 42), np.float32))  # wrong shape
    manifest = corpus / "m1.csv"
    write_manifest(manifest, rows + [("missing", "nowhere/top.pkl"), ("flat", "flat.npy")])
    out = tmp_path / "out"
    r = cli("batch", "--manifest", manifest, "--out", out, "--model", MODEL, "--threads", 1, check=False)
    assert r.returncode == 1, r.stderr  # some rows failed; the others were done
    summary = json.loads((out / "batch_summary.json").read_text())
    assert (summary["rows"], summary["predicted"], summary["skipped"], summary["failed"]) == (7, 5, 0, 2)
    failures = {f["name"]: f["error"] for f in summary["failures"]}
    assert "nowhere/top.pkl" in failures["missing"]
    assert "flat.npy" in failures["flat"] and "[T, 21, C>=2]" in failures["flat"]
    assert "missing" in r.stdout + r.stderr and "flat" in r.stdout + r.stderr
    # Each output is byte for byte what `pianokpm predict` writes for that row.
    for name, top in rows[:2]:
        cli("predict", "--model", MODEL, "--pose-top", corpus / top, "--out", tmp_path / f"{name}.csv", "--threads", 1)
        assert (out / f"{name}.csv").read_bytes() == (tmp_path / f"{name}.csv").read_bytes()
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.csv" for n, _ in rows] + ["batch_summary.json"])
    # A second run skips what is done and tries the failed rows again.
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")}
    r = cli("batch", "--manifest", manifest, "--out", out, "--model", MODEL, "--threads", 1, check=False)
    summary = json.loads((out / "batch_summary.json").read_text())
    assert (summary["predicted"], summary["skipped"], summary["failed"]) == (0, 5, 2)
    assert before == {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")}


def test_batch_analyze_and_npy(corpus, tmp_path):
    rows = good_rows(corpus)[:2]
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, [(n, corpus / t) for n, t in rows])  # absolute paths
    out = tmp_path / "out"
    cli("batch", "--manifest", manifest, "--out", out, "--model", MODEL, "--format", "npy", "--analyze")
    for name, _ in rows:
        emg = np.load(out / f"{name}.npy")
        assert emg.shape == (20 * 1024, 6)
        cli("analyze", "--emg", out / f"{name}.npy", "--out", tmp_path / f"{name}.json")
        ours = json.loads((out / f"{name}.analysis.json").read_text())
        theirs = json.loads((tmp_path / f"{name}.json").read_text())
        assert ours["muscles"] == theirs["muscles"]


def test_batch_resumes_after_kill_9_without_loss_or_duplicates(corpus, tmp_path):
    rows = good_rows(corpus)
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, [(n, corpus / t) for n, t in rows])
    out = tmp_path / "out"
    p = subprocess.Popen([BIN, "batch", "--manifest", manifest, "--out", out, "--model", MODEL, "--jobs", "2", "--threads", "1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and not list(out.glob("*.csv")):
        time.sleep(0.01)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    done_at_kill = {q.name for q in out.glob("*.csv")}
    assert 1 <= len(done_at_kill) < len(rows), "the kill should land mid-way"
    cli("batch", "--manifest", manifest, "--out", out, "--model", MODEL, "--threads", 1)
    summary = json.loads((out / "batch_summary.json").read_text())
    assert summary["skipped"] >= len(done_at_kill) and summary["predicted"] + summary["skipped"] == len(rows)
    names = sorted(q.name for q in out.iterdir())
    assert names == sorted([f"{n}.csv" for n, _ in rows] + ["batch_summary.json"])  # no temporaries, no extras
    for name, top in rows:
        emg = np.loadtxt(out / f"{name}.csv", delimiter=",", skiprows=1)
        assert emg.shape == (20 * 1024, 6) and np.isfinite(emg).all(), name


def test_batch_removes_temporaries_of_dead_writers_only(corpus, tmp_path):
    rows = good_rows(corpus)[:2]
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, [(n, corpus / t) for n, t in rows])
    out = tmp_path / "out"
    out.mkdir()
    dead = out / f"{rows[0][0]}.csv.tmp-999999999"  # no such process
    alive = out / f"{rows[1][0]}.csv.tmp-{os.getpid()}"  # as if another run were writing it
    dead.write_text("half a file")
    alive.write_text("being written")
    cli("batch", "--manifest", manifest, "--out", out, "--model", MODEL)
    assert not dead.exists() and alive.exists()
    assert all((out / f"{n}.csv").stat().st_size > 1000 for n, _ in rows)


def test_batch_refuses_a_bad_manifest_before_writing(corpus, tmp_path):
    bad = {
        "unknown column": ("name,pose_top,pose_left\nx,a.pkl,b.pkl\n", "pose_left"),
        "repeated name": ("name,pose_top\nx,a.pkl\nx,b.pkl\n", "appears twice"),
        "path in name": ("name,pose_top\n../x,a.pkl\n", "path separator"),
        "no name": ("pose_top\na.pkl\n", "'name'"),
    }
    for what, (text, message) in bad.items():
        m = tmp_path / "bad.csv"
        m.write_text(text)
        r = cli("batch", "--manifest", m, "--out", tmp_path / "out", "--model", MODEL, check=False)
        assert r.returncode == 2 and message in r.stderr and "bad.csv" in r.stderr, (what, r.stderr)
        assert not (tmp_path / "out").exists(), what


def batch_under_mpirun(manifest, out):
    """`mpirun -np 2 pianokpm batch` with the shipped model, as root and on 2 cores if need be."""
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    return subprocess.run([os.environ["PIANOKPM_MPIEXEC"], "-np", "2", BIN, "batch", "--manifest", manifest, "--out", out,
                           "--model", MODEL], capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.skipif(not os.environ.get("PIANOKPM_MPIEXEC"), reason="no MPI launcher")
def test_batch_under_mpirun_splits_rows_evenly(corpus, tmp_path):
    rows = good_rows(corpus)[:6]
    manifest = tmp_path / "m.csv"
    write_manifest(manifest, [(n, corpus / t) for n, t in rows])
    out = tmp_path / "out"
    r = batch_under_mpirun(manifest, out)
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "batch_summary.json").read_text())
    assert summary["processes"] == 2 and summary["rows_per_process"] == [3, 3] and summary["predicted"] == 6
    assert (r.stdout + r.stderr).count("already done (skipped)") == 1  # one summary, from the first process
    single = tmp_path / "single"
    cli("batch", "--manifest", manifest, "--out", single, "--model", MODEL, "--threads", 1)
    for name, _ in rows:
        assert (out / f"{name}.csv").read_bytes() == (single / f"{name}.csv").read_bytes()


@pytest.mark.skipif(not os.environ.get("PIANOKPM_MPIEXEC"), reason="no MPI launcher")
def test_batch_under_mpirun_fails_through_the_first_process_only(corpus, tmp_path):
    manifest = tmp_path / "m.csv"
    # Round-robin: the good row goes to process 0, the missing one to process 1.
    write_manifest(manifest, [(n, corpus / t) for n, t in good_rows(corpus)[:1]] + [("missing", tmp_path / "nowhere.pkl")])
    out = tmp_path / "out"
    r = batch_under_mpirun(manifest, out)
    assert r.returncode == 1, r.stderr
    summary = json.loads((out / "batch_summary.json").read_text())
    assert (summary["predicted"], summary["failed"]) == (1, 1)
    # OpenMPI names the first process that exited non-zero: the one that wrote the summary.
    names = re.findall(r"Process name: \[\[\d+,\d+\],(\d+)\]", r.stdout + r.stderr)
    assert names in ([], ["0"]), r.stderr


def test_export_round_trips_through_the_official_checkpoint_path(tmp_path):
    inputs = ["--pose-top", PERF / "hand_data/keyp_top/t1_p1_1.pkl", "--pose-right", PERF / "hand_data/keyp_right/t1_p1_1.pkl",
              "--keys", PERF / "keystroke_data/t1_p1_1.pkl"]
    cli("export", "--model", OFFICIAL / "state_dict.pth", "--out", tmp_path / "official_again.pth")
    config = json.loads((tmp_path / "official_again.json").read_text())
    assert config["architecture"] == "pianokpm" and config["num_views"] == 2
    assert not config.get("provenance", {}).get("synthetic_data", False)
    cli("predict", "--model", tmp_path / "official_again.pth", *inputs, "--out", tmp_path / "again.npy")
    expected = np.load(OFFICIAL / "performance_expected_emg_tc.npy")
    again = np.load(tmp_path / "again.npy")
    assert np.abs(again[: len(expected)] - expected).max() <= 1e-4
    cli("predict", "--model", OFFICIAL / "state_dict.pth", *inputs, "--out", tmp_path / "original.npy")
    np.testing.assert_allclose(again, np.load(tmp_path / "original.npy"), rtol=0, atol=1e-5)
    # One of ours, with its scaling in the config beside it.
    cli("export", "--model", MODEL, "--out", tmp_path / "pose.pth")
    top = PERF / "hand_data/keyp_top/t1_p1_1.pkl"
    assert json.loads((tmp_path / "pose.json").read_text())["provenance"]["synthetic_data"] is True
    r = cli("predict", "--model", tmp_path / "pose.pth", "--config", tmp_path / "pose.json", "--pose-top", top, "--out", tmp_path / "p1.npy")
    assert "trained on synthetic data" in r.stdout + r.stderr  # the notice follows the model out of its file name
    cli("predict", "--model", MODEL, "--pose-top", top, "--out", tmp_path / "p0.npy")
    np.testing.assert_allclose(np.load(tmp_path / "p1.npy"), np.load(tmp_path / "p0.npy"), rtol=0, atol=1e-5)
    # Without --config, the config export wrote beside it is read: the same estimates and notice.
    r = cli("predict", "--model", tmp_path / "pose.pth", "--pose-top", top, "--out", tmp_path / "p2.npy")
    assert "pose.json" in r.stdout + r.stderr and "trained on synthetic data" in r.stdout + r.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "p2.npy"), np.load(tmp_path / "p1.npy"))
    # batch too: the same config, and its summary keeps the notice.
    write_manifest(tmp_path / "one.csv", [("t1_p1_1", top)])
    cli("batch", "--manifest", tmp_path / "one.csv", "--model", tmp_path / "pose.pth", "--out", tmp_path / "b")
    assert "synthetic data" in json.loads((tmp_path / "b" / "batch_summary.json").read_text())["note"]
    r = cli("export", "--model", MODEL, "--out", tmp_path / "x.txt", check=False)
    assert r.returncode == 2 and "x.txt" in r.stderr and not (tmp_path / "x.json").exists()
