"""load_model and Model.predict against the release's expected output and the CLI's."""
import threading
import time

import numpy as np
import pytest

import pianokpm
from conftest import BIN, MODELS, load_pickle, run_cli


def test_official_state_dict_reproduces_the_release(official_inputs):
    m = pianokpm.load_model(official_inputs["model"])
    assert (m.format, m.modality, m.views, m.architecture) == ("pytorch-state-dict", "pose+keys", 2, "pianokpm")
    assert (m.pose_rate_hz, m.emg_rate_hz) == (60, 1024)
    top = load_pickle(official_inputs["top"])
    right = load_pickle(official_inputs["right"])
    keys = load_pickle(official_inputs["keys"])
    emg = m.predict(top, right, keys)
    assert emg.dtype == np.float32 and emg.shape == (keys.shape[0], 6)
    expected = official_inputs["expected"]
    assert np.abs(emg[: len(expected)] - expected).max() <= 1e-4


def test_arrays_and_paths_give_the_cli_output(official_inputs, tmp_path):
    m = pianokpm.load_model(official_inputs["model"])
    from_paths = m.predict(official_inputs["top"], official_inputs["right"], official_inputs["keys"])
    from_arrays = m.predict(load_pickle(official_inputs["top"]), load_pickle(official_inputs["right"]),
                            load_pickle(official_inputs["keys"]))
    np.testing.assert_array_equal(from_paths, from_arrays)
    out = tmp_path / "emg.npy"
    run_cli("predict", "--model", official_inputs["model"], "--pose-top", official_inputs["top"], "--pose-right",
            official_inputs["right"], "--keys", official_inputs["keys"], "--out", out)
    np.testing.assert_allclose(from_arrays, np.load(out), rtol=0, atol=1e-6)


def test_shipped_pose_model_matches_cli(tmp_path):
    perf = pianokpm.synth_performance(task=2, pianist=3, seconds=4)
    m = pianokpm.load_model(MODELS / "synthetic_top_pose.pt")
    assert m.synthetic and m.modality == "pose" and m.views == 1
    emg = m.predict(perf["pose_top"])
    assert emg.shape == (4 * 60 * 1024 // 60, 6)
    np.save(tmp_path / "top3.npy", perf["pose_top"])
    out = tmp_path / "emg.csv"
    run_cli("predict", "--model", MODELS / "synthetic_top_pose.pt", "--pose-top", tmp_path / "top3.npy", "--out", out)
    cli = np.loadtxt(out, delimiter=",", skiprows=1)
    np.testing.assert_allclose(emg, cli, rtol=0, atol=5e-6)  # the CSV's printed precision


def test_a_state_dict_is_read_with_the_config_export_wrote_beside_it(tmp_path):
    m = pianokpm.load_model(MODELS / "synthetic_top_pose.pt")
    m.export(tmp_path / "pose.pth")
    again = pianokpm.load_model(tmp_path / "pose.pth")  # pose.json beside it, as the command line reads it
    assert (again.format, again.views, again.synthetic) == ("pytorch-state-dict", 1, True)
    top = pianokpm.synth_performance(task=1, pianist=1, seconds=2)["pose_top"]
    np.testing.assert_allclose(again.predict(top), m.predict(top), rtol=0, atol=1e-6)


def test_bad_inputs_raise_input_error_naming_the_field(official_inputs, tmp_path):
    m = pianokpm.load_model(official_inputs["model"])
    top = load_pickle(official_inputs["top"])
    keys = load_pickle(official_inputs["keys"])
    with pytest.raises(pianokpm.InputError, match=r"pose_top.*\[T, 21, C>=2\]"):
        m.predict(top[:, :20], top, keys)
    bad = top.copy()
    bad[5, 3, 0] = np.nan
    with pytest.raises(ValueError, match=r"pose_right.*NaN"):
        m.predict(top, bad, keys)
    with pytest.raises(pianokpm.InputError, match="missing.pkl"):
        m.predict(tmp_path / "missing.pkl", top, keys)
    with pytest.raises(pianokpm.InputError, match=r"keys.*\[N, 88\]"):
        m.predict(top, top, keys[:, :80])
    # Named as the Python arguments are, not as the command line's options.
    with pytest.raises(pianokpm.InputError, match=r"^keys: this pose\+keys model needs a keystroke file"):
        m.predict(top, top, None)
    with pytest.raises(pianokpm.InputError, match=r"^pose_top/pose_right: this pose\+keys model needs 2 pose view"):
        m.predict(top, keys=keys)
    with pytest.raises(pianokpm.InputError, match=r"^device: must be cpu or cuda, not 'tpu'"):
        pianokpm.load_model(official_inputs["model"], device="tpu")
    pose_model = pianokpm.load_model(MODELS / "synthetic_top_pose.pt")
    with pytest.raises(pianokpm.InputError, match="reads no keystrokes"):
        pose_model.predict(top, keys=keys)
    with pytest.raises(pianokpm.InputError, match="nothing.pt"):
        pianokpm.load_model(tmp_path / "nothing.pt")
    with pytest.raises(ValueError, match="numeric"):
        m.predict("not a path".split(), top, keys)


def test_predict_releases_the_gil(official_inputs):
    m = pianokpm.load_model(official_inputs["model"])
    top, right, keys = (load_pickle(official_inputs[k]) for k in ("top", "right", "keys"))
    ticks = 0
    done = threading.Event()

    def count():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    start = time.perf_counter()
    m.predict(top, right, keys)
    elapsed = time.perf_counter() - start
    done.set()
    t.join()
    # A thread sleeping 1 ms per tick gets hundreds of ticks per second only if predict lets go.
    assert ticks >= 0.2 * elapsed / 0.001 or elapsed < 0.05, (ticks, elapsed)


def test_config_and_muscles():
    m = pianokpm.load_model(MODELS / "synthetic_top_pose.pt")
    assert m.config["num_views"] == 1 and m.config["architecture"] == "pianokpm"
    assert pianokpm.muscles() == ["ADM", "PB", "1DI", "2DI", "3DI", "4DI"]
    assert "pose" in repr(m)
    names = [name for name, _ in pianokpm.architectures()]
    assert names[0] == "pianokpm" and {"mean", "pose_tcn", "linear_regression"} <= set(names)
    assert m.config["architecture"] in names


def test_stubs_and_docstrings_cover_the_module():
    import ast
    import os
    stub = ast.parse(open(os.path.join(os.path.dirname(pianokpm.__file__), "pianokpm.pyi")).read())
    stubbed = {n.name for n in stub.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    stubbed |= {t.id for n in stub.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    stubbed = {n for n in stubbed if not n.startswith("_")}
    if not pianokpm.have_video:
        stubbed.discard("HandTracker")  # bound only where the build has OpenCV
    public = {n for n in dir(pianokpm) if not n.startswith("_")}
    assert public == stubbed, (public - stubbed, stubbed - public)
    for name in public - {"have_video", "InputError"}:
        doc = getattr(pianokpm, name).__doc__ or ""
        assert len(doc) > 20, name
    assert "[N, 6]" in pianokpm.Model.predict.__doc__ and ".pth" in pianokpm.Model.export.__doc__
