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
