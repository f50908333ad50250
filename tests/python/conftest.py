"""Shared fixtures for the Python module's tests (run by ctest: python/pytest, python/torch_interop).

The environment names the build: PYTHONPATH holds build/python, PIANOKPM_BIN the CLI, and
PIANOKPM_ROOT the source tree (fixtures, shipped models)."""
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(os.environ.get("PIANOKPM_ROOT", Path(__file__).resolve().parents[2]))
FIXTURES = ROOT / "tests" / "fixtures"
OFFICIAL = FIXTURES / "official"
PERFORMANCE = OFFICIAL / "performance"
BIN = os.environ.get("PIANOKPM_BIN", str(ROOT / "build" / "bin" / "pianokpm"))
MODELS = ROOT / "assets" / "models"


def run_cli(*args, check=True):
    """Runs the pianokpm CLI; returns the CompletedProcess (stderr in .stderr)."""
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and r.returncode != 0:
        raise AssertionError(f"pianokpm {' '.join(map(str, args))} exited {r.returncode}:\n{r.stderr}")
    return r


def load_pickle(path):
    """The release's pickles through Python's own pickle: an independent reader."""
    with open(path, "rb") as f:
        return pickle.load(f)


def read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)


@pytest.fixture
def official_inputs():
    return {
        "top": PERFORMANCE / "hand_data" / "keyp_top" / "t1_p1_1.pkl",
        "right": PERFORMANCE / "hand_data" / "keyp_right" / "t1_p1_1.pkl",
        "keys": PERFORMANCE / "keystroke_data" / "t1_p1_1.pkl",
        "model": OFFICIAL / "state_dict.pth",
        "expected": np.load(OFFICIAL / "performance_expected_emg_tc.npy"),
    }
