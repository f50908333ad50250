#!/usr/bin/env python3
"""Videos of a real hand moving one finger at a time, made from one photograph by warping it.

Usage: /usr/bin/python3 tools/finger_moves/make_moves.py PHOTO LANDMARKS.npy OUT_DIR

PHOTO: a hand with five extended fingers before a plain light background (the warp fills what a
moved finger leaves with the background's colour). LANDMARKS.npy: its 21 MediaPipe keypoints
([1, 21, >=2] pixels, as `pianokpm pose` writes them). For each move OUT_DIR/NAME/ gets 90 frames
(3 s at 30 fps): the hand still for 1 s, the move over 0.3 s, held to the end.
  swing_*: a finger turned about its knuckle in the image (sideways, abduction or adduction);
  press_*: a finger shortened towards its knuckle, as a finger flexing away from a camera that
           sees the back of the hand does (its proximal part first).
OUT_DIR/moves.json lists the moves, the finger, and the muscle anatomy names for it.
"""
import json
import pathlib
import sys

import numpy as np
from PIL import Image

FPS, SECONDS, START_S, MOVE_S = 30, 3.0, 1.0, 0.3
CHAINS = {"thumb": [1, 2, 3, 4], "index": [5, 6, 7, 8], "middle": [9, 10, 11, 12], "ring": [13, 14, 15, 16],
          "little": [17, 18, 19, 20]}


def moves(radial_sign):
    """(name, finger, kind, amount, muscle). radial_sign: +1 when the thumb side is a positive turn."""
    swing = np.radians(14)
    return [
        ("swing_thumb_out", "thumb", "press", 0.72, "PB"),  # palmar abduction: the thumb leaves the palm plane
        ("swing_index_radial", "index", "turn", radial_sign * swing, "1DI"),
        ("swing_middle_radial", "middle", "turn", radial_sign * swing, "2DI"),
        ("swing_middle_ulnar", "middle", "turn", -radial_sign * swing, "3DI"),
        ("swing_ring_ulnar", "ring", "turn", -radial_sign * swing, "4DI"),
        ("swing_little_ulnar", "little", "turn", -radial_sign * swing, "ADM"),
        ("press_thumb", "thumb", "press", 0.72, "PB"),
        ("press_index", "index", "press", 0.72, "1DI"),
        ("press_middle", "middle", "press", 0.72, "2DI|3DI"),
        ("press_ring", "ring", "press", 0.72, "4DI"),
        ("press_little", "little", "press", 0.72, "ADM"),
    ]


def finger_mask(shape, kp, chain, radius):
    """Pixels within `radius` of the finger's polyline and distal to its base joint."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    mask = np.zeros(shape, bool)
    base, axis = kp[chain[0]], kp[chain[-1]] - kp[chain[0]]
    for a, b in zip(chain[:-1], chain[1:]):
        p, q = kp[a], kp[b]
        d = q - p
        t = np.clip(((xx - p[0]) * d[0] + (yy - p[1]) * d[1]) / (d @ d), 0, 1)
        dist = np.hypot(xx - (p[0] + t * d[0]), yy - (p[1] + t * d[1]))
        mask |= dist < radius
    # beyond the tip a little (the nail), and not behind the base joint (the palm stays)
    along = ((xx - base[0]) * axis[0] + (yy - base[1]) * axis[1]) / (axis @ axis)
    return mask & (along > 0.02) & (along < 1.12)


def warp(image, kp, chain, kind, amount, s, background, radius):
    """The photo with the finger moved a fraction s (0..1) of the way."""
    h, w, _ = image.shape
    mask = finger_mask((h, w), kp, chain, radius)
    base = kp[chain[0]]
    axis = (kp[chain[-1]] - base) / np.linalg.norm(kp[chain[-1]] - base)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rx, ry = xx - base[0], yy - base[1]
    if kind == "turn":  # where each output pixel comes from: the inverse rotation
        a = -amount * s
        sx, sy = np.cos(a) * rx - np.sin(a) * ry, np.sin(a) * rx + np.cos(a) * ry
    else:  # shortening along the finger's axis towards its base
        f = 1 - (1 - amount) * s
        along = rx * axis[0] + ry * axis[1]
        sx, sy = rx + (along / f - along) * axis[0], ry + (along / f - along) * axis[1]
    sx, sy = np.rint(sx + base[0]).astype(int), np.rint(sy + base[1]).astype(int)
    inside = (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
    from_finger = np.zeros((h, w), bool)
    from_finger[inside] = mask[sy[inside], sx[inside]]
    out = image.copy()
    out[mask] = background
    out[from_finger] = image[sy[from_finger], sx[from_finger]]
    return out


def main():
    photo, landmarks, out_dir = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    image = np.asarray(Image.open(photo).convert("RGB"))
    kp = np.load(landmarks).reshape(-1, 21, np.load(landmarks).shape[-1])[0, :, :2].astype(np.float64)
    background = np.median(np.concatenate([image[:8].reshape(-1, 3), image[:, -8:].reshape(-1, 3)]), axis=0)
    radius = 0.55 * np.mean([np.linalg.norm(kp[a] - kp[b]) for a, b in [(5, 9), (9, 13), (13, 17)]])
    # Image y points down: the thumb side is a positive turn when the thumb lies clockwise of the
    # fingers' direction, seen from the wrist.
    fingers = kp[9] - kp[0]
    thumb = kp[4] - kp[0]
    radial_sign = 1.0 if fingers[0] * thumb[1] - fingers[1] * thumb[0] > 0 else -1.0
    listing = []
    for name, finger, kind, amount, muscle in moves(radial_sign):
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(int(FPS * SECONDS)):
            t = i / FPS
            s = np.clip((t - START_S) / MOVE_S, 0, 1)
            s = s * s * (3 - 2 * s)
            frame = warp(image, kp, CHAINS[finger], kind, amount, s, background, radius)
            Image.fromarray(frame).save(folder / f"{i:03d}.png")
        listing.append({"move": name, "finger": finger, "muscle": muscle})
    (out_dir / "moves.json").write_text(json.dumps(listing, indent=1))


if __name__ == "__main__":
    main()
