"""synth, the metrics and the analysis against the CLI's files, the release's Sinkhorn values
(geomloss) and numpy in float64."""
import json

import numpy as np
import pytest

import pianokpm
from conftest import OFFICIAL, load_pickle, run_cli


def test_synth_performance_equals_the_corpus_the_cli_writes(tmp_path):
    run_cli("synth", "--out", tmp_path / "corpus", "--pianists", 5, "--takes", 1, "--seconds", 3,
            "--only-set", "architectural:test")
    written = sorted((tmp_path / "corpus" / "emg_data").glob("*.pkl"))
    assert written
    name = written[0].stem  # t{task}_p{pianist}_{take}
    task, pianist, take = (int(x.lstrip("tp")) for x in name.split("_"))
    perf = pianokpm.synth_performance(task=task, pianist=pianist, take=take, seconds=3)
    assert perf["name"] == name
    corpus = tmp_path / "corpus"
    np.testing.assert_array_equal(perf["pose_top"], load_pickle(corpus / "hand_data" / "keyp_top" / f"{name}.pkl"))
    np.testing.assert_array_equal(perf["pose_right"], load_pickle(corpus / "hand_data" / "keyp_right" / f"{name}.pkl"))
    np.testing.assert_array_equal(perf["keys"], load_pickle(corpus / "keystroke_data" / f"{name}.pkl"))
    np.testing.assert_array_equal(perf["emg"], load_pickle(corpus / "emg_data" / f"{name}.pkl"))
    assert perf["pose_top"].shape == (180, 21, 3) and perf["keys"].shape == (3 * 1024, 88)
    assert perf["meta"]["pianist"] == pianist
    with pytest.raises(ValueError, match="task"):
        pianokpm.synth_performance(task=99)
    # The whole set through Python: the same files, byte for byte.
    pianokpm.synth_corpus(tmp_path / "py", pianists=5, takes=1, seconds=3, only_set="architectural:test")
    cli_files = sorted(p.relative_to(corpus) for p in corpus.rglob("*.pkl"))
    assert cli_files == sorted(p.relative_to(tmp_path / "py") for p in (tmp_path / "py").rglob("*.pkl"))
    for f in cli_files:
        assert (corpus / f).read_bytes() == (tmp_path / "py" / f).read_bytes(), f


def test_threads_are_libtorchs():
    before = pianokpm.get_threads()
    pianokpm.set_threads(1)
    assert pianokpm.get_threads() == 1
    pianokpm.set_threads(before)


def test_rmse_and_pearson_equal_numpy_in_float64():
    rng = np.random.default_rng(7)
    a = rng.random((2048, 6)).astype(np.float32)
    b = (0.7 * a + 0.3 * rng.random((2048, 6))).astype(np.float32)
    expected = np.sqrt(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    assert pianokpm.rmse(a, b) == pytest.approx(expected, rel=1e-6)
    r = pianokpm.pearson(a, b)
    np.testing.assert_allclose(r, [np.corrcoef(a[:, c], b[:, c])[0, 1] for c in range(6)], rtol=1e-9)
    with pytest.raises(ValueError, match="same shape"):
        pianokpm.rmse(a, b[:100])


def test_otd_equals_the_releases_sinkhorn_values():
    cases = json.loads((OFFICIAL / "sinkhorn_values.json").read_text())
    for case in cases:
        x = np.load(OFFICIAL / f"sinkhorn_{case['case']}_x.npy")
        y = np.load(OFFICIAL / f"sinkhorn_{case['case']}_y.npy")
        assert pianokpm.otd(x, y) == pytest.approx(case["value"], rel=1e-4, abs=1e-6), case


def test_burst_onsets_of_hand_made_bursts():
    rate = 1024
    s = np.zeros(4 * rate, np.float32)
    for start in (0.5, 1.7, 3.0):  # three bursts of 0.3 s
        s[int(start * rate): int((start + 0.3) * rate)] = 1.0
    onsets = pianokpm.burst_onsets(s, rate)
    np.testing.assert_allclose(onsets, [0.5, 1.7, 3.0], atol=1.5 / rate)
    est = np.stack([np.roll(s, 41)] * 6, 1)  # 40 ms late
    timing = pianokpm.onset_timing(est, np.stack([s] * 6, 1))
    assert timing["matched"] == timing["measured"] == 18
    assert timing["mean_abs_error_ms"] == pytest.approx(41 / rate * 1000, abs=1.5)


def test_analyze_equals_the_cli(tmp_path):
    perf = pianokpm.synth_performance(task=3, pianist=2, seconds=6)
    np.save(tmp_path / "emg.npy", perf["emg"])
    np.save(tmp_path / "keys.npy", perf["keys"])
    run_cli("analyze", "--emg", tmp_path / "emg.npy", "--keys", tmp_path / "keys.npy", "--out", tmp_path / "a.json")
    cli = json.loads((tmp_path / "a.json").read_text())
    del cli["keystrokes"]["file"]  # the CLI names its input file
    ours = pianokpm.analyze(perf["emg"], perf["keys"])
    for part in ("muscles", "co_contraction", "keystrokes"):
        assert ours[part] == cli[part], part
    assert pianokpm.analyze(perf["emg"])["muscles"][0]["peak"] == pytest.approx(float(perf["emg"][:, 0].max()), rel=1e-6)
