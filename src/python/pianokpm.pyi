"""Type stubs for the pianokpm extension module (src/python). Shapes and units in docstrings."""
from os import PathLike
from typing import Any, Optional, Sequence, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str
have_video: bool
PathArg = Union[str, PathLike[str]]
ArrayOrPath = Union[npt.ArrayLike, str, PathLike[str]]

class InputError(ValueError):
    """Bad input: a missing, malformed or inconsistent file or array (the CLI's message)."""

class Model:
    """A loaded model. Made by load_model()."""
    @property
    def path(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def modality(self) -> str: ...
    @property
    def views(self) -> int: ...
    @property
    def architecture(self) -> str: ...
    @property
    def pose_rate_hz(self) -> float: ...
    @property
    def emg_rate_hz(self) -> float: ...
    @property
    def config(self) -> dict[str, Any]: ...
    @property
    def synthetic(self) -> bool: ...
    @property
    def members(self) -> int: ...
    @overload
    def predict(
        self,
        pose_top: Optional[ArrayOrPath] = None,
        pose_right: Optional[ArrayOrPath] = None,
        keys: Optional[ArrayOrPath] = None,
        batch_windows: int = 64,
        interval: None = None,
    ) -> npt.NDArray[np.float32]:
        """Keypoints [T, 21, C>=2] at 60 fps and/or key depth [N, 88] at 1024 Hz (arrays or file
        paths; keys may be MIDI) -> EMG float32 [N, 6] at 1024 Hz (ADM, PB, 1DI, 2DI, 3DI, 4DI)."""
    @overload
    def predict(
        self,
        pose_top: Optional[ArrayOrPath] = None,
        pose_right: Optional[ArrayOrPath] = None,
        keys: Optional[ArrayOrPath] = None,
        batch_windows: int = 64,
        interval: float = ...,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """A calibrated ensemble's estimate and its lower and upper bounds, each [N, 6]."""
    def familiarity(
        self, pose_top: ArrayOrPath, pose_right: Optional[ArrayOrPath] = None
    ) -> Optional[npt.NDArray[np.float32]]:
        """Per 1-s window, 0..1: the share of the model's training windows at least as unusual
        (below 0.01: unlike anything it was trained on); None for models without a reference."""
    def export(self, path: PathArg) -> str:
        """Release-format state dict at path (.pth) and its config (.json); returns the config path."""

def load_model(path: PathArg, config: Optional[dict[str, Any]] = None, device: str = "cpu") -> Model:
    """Our checkpoint (.pt), an official state dict (.pth, with `config`, else the NAME.json beside
    it, else the released one), or an ensemble file (.json, from `pianokpm ensemble`)."""
def muscles() -> list[str]:
    """['ADM', 'PB', '1DI', '2DI', '3DI', '4DI']: the column order of every EMG array."""
def architectures() -> list[tuple[str, str]]:
    """Every model architecture `pianokpm train --architecture` takes, as (name, what it is) pairs."""

class HandTracker:
    """MediaPipe Hands (palm detector + landmark model) in libtorch."""
    def __init__(
        self,
        model: str = "full",
        max_hands: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        device: str = "cpu",
        model_dir: str = ...,
    ) -> None: ...
    def process(self, frame: npt.NDArray[np.uint8]) -> list[dict[str, Any]]:
        """RGB frame [H, W, 3] uint8 -> hands: keypoints float32 [21, 3] (x, y pixels, confidence),
        presence, side, right_hand."""
    def track_video(self, path: PathArg, hand: str = "right", rate_hz: float = 60.0) -> dict[str, Any]:
        """A video or image folder -> keypoints float32 [T, 21, 3] at rate_hz and the video's facts."""
    def reset(self) -> None: ...

def read_array(path: PathArg) -> npt.NDArray[Any]:
    """A numpy pickle (.pkl, restricted reader) or .npy, with its own dtype and shape."""
def write_array(path: PathArg, array: npt.ArrayLike, columns: Sequence[str] = ...) -> None:
    """1-D or 2-D float32 array to .npy, .pkl or .csv, atomically."""
def read_signals(path: PathArg, rate_hz: float = 0.0, channels: Sequence[str] = ...) -> dict[str, Any]:
    """EDF/BDF/CSV/.npy/.pkl biosignals -> labels, units, rates_hz, samples (float64 per channel)."""
def have_biosig() -> bool: ...
def emg_envelope(
    raw: npt.ArrayLike,
    rate_hz: float,
    *,
    band_low_hz: float = 20.0,
    band_high_hz: float = 450.0,
    notch_hz: float = 0.0,
    lowpass_hz: float = 10.0,
    output_rate_hz: float = 1024.0,
    normalisation: str = "max",
    percentile: float = 99.0,
    mvc: Sequence[float] = ...,
    clip: bool = True,
) -> npt.NDArray[np.float32]:
    """Raw EMG [N] or [N, C] at rate_hz -> normalised envelope float32 [M, C] at output_rate_hz."""
def midi_to_key_depth(path: PathArg, duration_s: float = 0.0, rate_hz: float = 1024.0) -> npt.NDArray[np.float32]:
    """A MIDI file -> key depth float32 [N, 88] in 0..1."""

def synth_performance(
    task: int = 1, pianist: int = 1, take: int = 1, seconds: float = 60.0, seed: int = 42, simulator: int = 2
) -> dict[str, Any]:
    """One synthetic performance: name, pose_top, pose_right, keys, emg, emg_raw, meta."""
def synth_corpus(
    out_dir: PathArg,
    pianists: int = 20,
    takes: int = 3,
    seconds: float = 60.0,
    seed: int = 42,
    only_set: str = "",
    simulator: int = 2,
) -> None: ...

def rmse(estimated: npt.ArrayLike, measured: npt.ArrayLike) -> float: ...
def otd(estimated: npt.ArrayLike, measured: npt.ArrayLike, blur: float = 0.05, scaling: float = 0.5) -> float: ...
def pearson(estimated: npt.ArrayLike, measured: npt.ArrayLike) -> list[float]: ...
def burst_onsets(
    series: npt.ArrayLike, rate_hz: float = 1024.0, threshold_fraction: float = 0.3, refractory_s: float = 0.1
) -> list[float]: ...
def onset_timing(
    estimated: npt.ArrayLike, measured: npt.ArrayLike, rate_hz: float = 1024.0, match_window_s: float = 0.2
) -> dict[str, Any]: ...
def analyze(emg: npt.ArrayLike, keys: Optional[npt.ArrayLike] = None, rate_hz: float = 1024.0) -> dict[str, Any]: ...

def set_threads(n: int) -> None: ...
def get_threads() -> int: ...
def data_dirs() -> dict[str, str]: ...
