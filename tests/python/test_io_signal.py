"""Readers, writers, the EMG envelope and MIDI key depth against independent references
(Python's pickle and numpy, the EDF file's documented layout, hand-worked values) and the CLI."""
import numpy as np
import pytest

import pianokpm
from conftest import FIXTURES, PERFORMANCE, load_pickle, read_csv, run_cli


def test_read_array_equals_pythons_pickle_and_numpy(tmp_path):
    for f in ["hand_data/keyp_top/t1_p1_1.pkl", "keystroke_data/t1_p1_1.pkl", "emg_data/t1_p1_1.pkl"]:
        ours = pianokpm.read_array(PERFORMANCE / f)
        theirs = load_pickle(PERFORMANCE / f)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)
    a = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    np.save(tmp_path / "a.npy", a)
    np.testing.assert_array_equal(pianokpm.read_array(tmp_path / "a.npy"), a)


def test_write_array_round_trips(tmp_path):
    a = (np.arange(18, dtype=np.float32).reshape(6, 3) - 4) / 3
    pianokpm.write_array(tmp_path / "a.npy", a)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), a)
    pianokpm.write_array(tmp_path / "a.pkl", a)
    np.testing.assert_array_equal(load_pickle(tmp_path / "a.pkl"), a)
    pianokpm.write_array(tmp_path / "a.csv", a, ["x", "y", "z"])
    header, values = read_csv(tmp_path / "a.csv")
    assert header == ["x", "y", "z"]
    np.testing.assert_allclose(values, a, atol=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.npy", "a.pkl"]  # no temporaries


def test_bad_files_raise_naming_the_file(tmp_path):
    (tmp_path / "cut.npy").write_bytes(b"\x93NUMPY\x01\x00")
    with pytest.raises(pianokpm.InputError, match="cut.npy"):
        pianokpm.read_array(tmp_path / "cut.npy")
    with pytest.raises(pianokpm.InputError, match="absent.pkl"):
        pianokpm.read_array(tmp_path / "absent.pkl")
    # A pickle that would run code is refused, not run.
    (tmp_path / "evil.pkl").write_bytes(b"cos\nsystem\n(S'touch pwned'\ntR.")
    with pytest.raises(pianokpm.InputError, match="evil.pkl"):
        pianokpm.read_array(tmp_path / "evil.pkl")
    assert not (tmp_path / "pwned").exists()


@pytest.mark.skipif(not pianokpm.have_biosig(), reason="this build has no libbiosig")
def test_read_signals_reads_the_edf_as_documented():
    r = pianokpm.read_signals(FIXTURES / "edf" / "S001R01.edf")
    eeg = [i for i, label in enumerate(r["labels"]) if label != "EDF Annotations"]
    assert len(eeg) == 64
    assert r["labels"][0].startswith("Fc5")
    assert all(r["rates_hz"][i] == 160 for i in eeg)
    assert all(r["samples"][i].shape == (61 * 160,) for i in eeg)
    picked = pianokpm.read_signals(FIXTURES / "edf" / "S001R01.edf", channels=["2", "1"])
    np.testing.assert_array_equal(picked["samples"][1], r["samples"][0])
    np.testing.assert_array_equal(picked["samples"][0], r["samples"][1])
    with pytest.raises(pianokpm.InputError, match="numbered from 1"):
        pianokpm.read_signals(FIXTURES / "edf" / "S001R01.edf", channels=["0"])


def test_emg_envelope_of_a_sine_is_its_rectified_mean():
    rate, amplitude = 2000.0, 0.8
    t = np.arange(int(4 * rate)) / rate
    raw = amplitude * np.sin(2 * np.pi * 100 * t)
    env = pianokpm.emg_envelope(raw, rate, normalisation="none")
    assert env.dtype == np.float32 and env.shape == (4 * 1024, 1)
    middle = env[1024:3 * 1024, 0]
    # Full-wave rectified sine: mean 2A/pi; the 10-Hz low-pass leaves only that.
    np.testing.assert_allclose(middle, 2 * amplitude / np.pi, rtol=0.01)
    scaled = pianokpm.emg_envelope(np.stack([raw, 2 * raw], 1), rate, normalisation="max")
    np.testing.assert_allclose(scaled.max(0), [1.0, 1.0], atol=1e-6)


def test_emg_envelope_equals_the_cli(tmp_path):
    rng = np.random.default_rng(3)
    raw = rng.normal(0, 0.1, size=(6000, 2)) * np.linspace(0.2, 1, 6000)[:, None]
    np.save(tmp_path / "raw.npy", raw)
    run_cli("emg", "--in", tmp_path / "raw.npy", "--rate", 2000, "--notch", 50, "--out", tmp_path / "env.npy")
    ours = pianokpm.emg_envelope(raw, 2000, notch_hz=50)
    np.testing.assert_allclose(ours, np.load(tmp_path / "env.npy"), rtol=0, atol=1e-6)
    with pytest.raises(ValueError):
        pianokpm.emg_envelope(raw, 2000, normalisation="loudest")


def test_midi_to_key_depth_equals_convert_and_the_score(tmp_path):
    midi = FIXTURES / "midi" / "04-FrereJacques.mid"
    keys = pianokpm.midi_to_key_depth(midi)
    assert keys.dtype == np.float32 and keys.shape[1] == 88
    assert 0 <= keys.min() and keys.max() <= 1
    # The first non-percussion note-on is at tick 768 of 192 per quarter at 666666 us per quarter.
    first_on = 768 / 192 * 0.666666
    first_row = int(np.argmax(keys.max(1) > 0.99))
    assert abs(first_row / 1024 - first_on) < 0.01
    assert keys[: int((first_on - 0.2) * 1024)].max() == 0
    run_cli("convert", "--out", tmp_path / "corpus", "--name", "t1_p99_1", "--midi", midi)
    np.testing.assert_array_equal(keys, load_pickle(tmp_path / "corpus" / "keystroke_data" / "t1_p99_1.pkl"))
