"""Beside Debian's python3-torch: torch imported first, then pianokpm; and an exported model read
back by torch.load. ctest runs this file as python/torch_interop (label torch), skipped where
torch is missing."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")  # first, on purpose: both load the same libtorch

import pianokpm  # noqa: E402
from conftest import OFFICIAL, MODELS, load_pickle  # noqa: E402


def test_torch_then_pianokpm_then_predict(official_inputs):
    m = pianokpm.load_model(official_inputs["model"])
    top, right, keys = (load_pickle(official_inputs[k]) for k in ("top", "right", "keys"))
    emg = m.predict(torch.from_numpy(top).numpy(), right, keys)
    assert np.abs(emg[: len(official_inputs["expected"])] - official_inputs["expected"]).max() <= 1e-4
    assert torch.ones(3).sum().item() == 3  # torch still works after ours ran


def test_exported_official_model_is_the_release_state_dict(tmp_path):
    original = torch.load(OFFICIAL / "state_dict.pth")
    pianokpm.load_model(OFFICIAL / "state_dict.pth").export(tmp_path / "again.pth")
    exported = torch.load(tmp_path / "again.pth")
    assert list(exported.keys()) == list(original.keys())  # names and order
    for name, t in original.items():
        assert exported[name].dtype == t.dtype and exported[name].shape == t.shape, name
        assert torch.equal(exported[name], t), name
    # Aliases share storage, as in the release.
    assert exported["network.pose_tds.0.conv.0.weight"].data_ptr() == exported["network.pose_conv.0.conv.0.weight"].data_ptr()


def test_exported_shipped_model_loads_into_a_state_dict_of_its_names(tmp_path):
    m = pianokpm.load_model(MODELS / "synthetic_top_pose.pt")
    config_path = m.export(tmp_path / "pose.pth")
    sd = torch.load(tmp_path / "pose.pth")
    assert all(isinstance(t, torch.Tensor) and t.dtype == torch.float32 for t in sd.values())
    assert any(k.startswith("network.pose_tds.") for k in sd) and not any(k.startswith("network.key_") for k in sd)
    # The same weights as our checkpoint: the exported file through the official-checkpoint path
    # with its config predicts the same EMG.
    import json
    again = pianokpm.load_model(tmp_path / "pose.pth", config=json.loads(open(config_path).read()))
    perf = pianokpm.synth_performance(task=1, pianist=2, seconds=3)
    np.testing.assert_allclose(again.predict(perf["pose_top"]), m.predict(perf["pose_top"]), rtol=0, atol=1e-5)


def test_ensemble_interval_is_the_members_mean_and_their_spread_scaled(official_inputs, tmp_path):
    # Two members: the official model, and a copy whose last bias torch moved. The estimate is
    # their mean; the bounds follow mean +- scale * (spread + floor) with a hand-written calibration
    # (scale 1 + level, floor 0.01), computed here from the two members' own predictions.
    import json
    state = torch.load(official_inputs["model"])
    last_bias = [k for k in state if k.endswith("bias")][-1]
    state[last_bias] += 5.0  # the decoder scales its output by 0.01
    torch.save(state, tmp_path / "moved.pth")
    levels = [round(0.5 + 0.01 * i, 2) for i in range(50)]
    calibration = {"floor": [0.01] * 6, "levels": levels, "scale": [[1 + level] * 6 for level in levels]}
    (tmp_path / "ens.json").write_text(json.dumps({"members": [str(official_inputs["model"]), "moved.pth"],
                                                   "calibration": calibration}))
    inputs = [load_pickle(official_inputs[k]) for k in ("top", "right", "keys")]
    a = pianokpm.load_model(official_inputs["model"]).predict(*inputs)
    b = pianokpm.load_model(tmp_path / "moved.pth").predict(*inputs)
    ensemble = pianokpm.load_model(tmp_path / "ens.json")
    assert (ensemble.members, ensemble.format) == (2, "ensemble")
    mean, lower, upper = ensemble.predict(*inputs, interval=0.9)
    half = 1.9 * (np.abs(a - b) / 2 + 0.01)
    assert np.abs(b - a).max() > 1e-3
    np.testing.assert_allclose(mean, (a + b) / 2, rtol=0, atol=1e-6)
    np.testing.assert_allclose(lower, np.clip((a + b) / 2 - half, 0, 1), rtol=0, atol=1e-5)
    np.testing.assert_allclose(upper, np.clip((a + b) / 2 + half, 0, 1), rtol=0, atol=1e-5)
    np.testing.assert_array_equal(ensemble.predict(*inputs), mean)
    # The command line writes the same three blocks of columns.
    from conftest import run_cli
    run_cli("predict", "--model", tmp_path / "ens.json", "--interval", "0.9", "--pose-top", official_inputs["top"],
            "--pose-right", official_inputs["right"], "--keys", official_inputs["keys"], "--out", tmp_path / "cli.npy")
    cli = np.load(tmp_path / "cli.npy")
    np.testing.assert_allclose(cli, np.concatenate([mean, lower, upper], axis=1), rtol=0, atol=1e-6)
    with pytest.raises(pianokpm.InputError, match="ensemble"):
        pianokpm.load_model(official_inputs["model"]).predict(*inputs, interval=0.9)
    with pytest.raises(pianokpm.InputError, match="interval"):
        ensemble.predict(*inputs, interval=0.995)
