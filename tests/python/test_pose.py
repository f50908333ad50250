"""HandTracker against the official MediaPipe Hands' landmarks on the same photographs and
against `pianokpm pose` on the same video."""
import json
import shutil
import subprocess

import numpy as np
import pytest

import pianokpm
from conftest import FIXTURES, ROOT, run_cli

pytestmark = pytest.mark.skipif(not pianokpm.have_video, reason="this build has no OpenCV")


def test_process_matches_official_mediapipe_on_the_photographs():
    Image = pytest.importorskip("PIL.Image")
    reference = json.loads((FIXTURES / "hands" / "mediapipe_full.json").read_text())["images"]
    tracker = pianokpm.HandTracker("full")
    errors = []
    for photo in ("nocurl", "halfcurl", "fullcurl"):
        rgb = np.asarray(Image.open(FIXTURES / "hands" / f"{photo}.jpg").convert("RGB"))
        ref = reference[f"{photo}_original.png"]
        assert (ref["width"], ref["height"]) == (rgb.shape[1], rgb.shape[0])
        tracker.reset()  # unrelated images: detect afresh
        hands = tracker.process(rgb)
        assert len(hands) == len(ref["hands"]) == 1
        k = hands[0]["keypoints"]
        assert k.shape == (21, 3) and k.dtype == np.float32
        expected = np.array(ref["hands"][0]["landmarks"])[:, :2] * [rgb.shape[1], rgb.shape[0]]
        errors.append(np.linalg.norm(k[:, :2] - expected, axis=1).mean() / max(rgb.shape[:2]))
        assert 0.5 < hands[0]["presence"] <= 1 and hands[0]["side"] in ("left", "right")
    assert max(errors) < 0.015, errors  # mean landmark distance / image size, as tests/pose
    with pytest.raises(ValueError, match=r"\[H, W, 3\]"):
        tracker.process(np.zeros((10, 10), np.uint8))


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no ffmpeg")
def test_track_video_equals_the_cli(tmp_path):
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", ROOT / "assets" / "demo" / "hand_moving.mp4", "-t", "1.5",
                    "-c", "copy", clip], check=True)
    result = pianokpm.HandTracker("full").track_video(clip, hand="any")
    run_cli("pose", "--video", clip, "--hand", "any", "--out", tmp_path / "cli.npy")
    cli = np.load(tmp_path / "cli.npy")
    assert result["keypoints"].shape == cli.shape
    np.testing.assert_allclose(result["keypoints"], cli, rtol=0, atol=1e-3 * result["width"])
    assert result["frames_with_hand"] > 0 and result["source_fps"] == pytest.approx(30)
    with pytest.raises(pianokpm.InputError, match="nowhere.mp4"):
        pianokpm.HandTracker().track_video(tmp_path / "nowhere.mp4")
