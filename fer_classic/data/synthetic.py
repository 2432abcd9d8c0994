"""The built-in synthetic data set: drawn faces whose expression follows the class.

It lets every command run with no download, in tests and on a laptop, and it is
deliberately neither trivial nor hopeless: a HOG + linear classifier scores well
above chance and well below 100 %. Its figures mean nothing about real faces.

Each image is a cartoon face drawn with OpenCV. The class sets the expression:
eye opening, brow height and tilt, mouth width, curvature, opening and asymmetry
(e.g. happy: smile, narrowed eyes; surprise: raised brows, wide eyes, open mouth;
angry: brows down in a V, pressed mouth). Each face shows its expression at a
random intensity (weak ones look nearly neutral) with per-feature jitter, under
random pose (rotation, scale, shift), face and background brightness, a lighting
gradient, blur and sensor noise.
"""

from __future__ import annotations

import cv2
import numpy as np

from .dataset import TEST, TRAIN, VAL, FERDataset, RawData, hash_arrays
from .images import IMAGE_SIZE
from .labels import CLASS_NAMES
from .splits import split_raw

SYNTHETIC_NOTICE = (
    "fer-classic: no data set named, using the built-in SYNTHETIC data set: "
    "its figures mean nothing about real faces"
)

# Expression parameters per class, in face units (face half-width = 1):
# eye_open, brow_raise, brow_tilt (inner end down), mouth_width, mouth_curve (corners up),
# mouth_open, mouth_asym (one corner up).
_PARAM_NAMES = (
    "eye_open",
    "brow_raise",
    "brow_tilt",
    "mouth_width",
    "mouth_curve",
    "mouth_open",
    "mouth_asym",
)
_EXPRESSIONS = np.array(
    [
        # eye  brow  tilt  width curve open  asym
        [0.09, 0.20, 0.14, 0.42, -0.04, 0.03, 0.00],  # angry
        [0.07, 0.22, 0.06, 0.46, -0.10, 0.05, 0.16],  # disgust
        [0.20, 0.40, -0.08, 0.58, -0.06, 0.14, 0.00],  # fear
        [0.07, 0.31, 0.00, 0.68, 0.24, 0.08, 0.00],  # happy
        [0.09, 0.29, -0.11, 0.44, -0.18, 0.02, 0.00],  # sad
        [0.22, 0.46, 0.00, 0.32, 0.00, 0.28, 0.00],  # surprise
        [0.12, 0.29, 0.00, 0.50, 0.00, 0.02, 0.00],  # neutral
    ],
    dtype=np.float64,
)
_NEUTRAL = _EXPRESSIONS[CLASS_NAMES.index("neutral")]
_JITTER = np.array([0.025, 0.04, 0.035, 0.06, 0.04, 0.03, 0.04])

_CANVAS = 96  # drawn at twice the output size, then reduced with area interpolation
_UNIT = 28.0  # pixels per face unit on the canvas


def make_synthetic(
    n_per_class: int = 300,
    *,
    seed: int = 0,
    split: str = "auto",
    split_seed: int = 0,
) -> FERDataset:
    """The synthetic face-expression data set, split into train / val / test.

    Parameters
    ----------
    n_per_class : int
        Images drawn per class (7 classes).
    seed : int
        Seed of the drawing: the same seed gives the same images on every machine.
    split : {"auto", "canonical", "stratified"}
        ``auto``/``canonical``: the generator's own 70/10/20 per class;
        ``stratified``: :func:`fer_classic.data.splits.stratified_indices` with ``split_seed``.
    split_seed : int
        Seed of the stratified split.
    """
    images, labels = draw_faces(n_per_class, seed)
    usage = np.empty(len(labels), dtype=np.int8)
    for c in range(len(CLASS_NAMES)):
        rows = np.flatnonzero(labels == c)
        n_train, n_val = round(0.7 * len(rows)), round(0.1 * len(rows))
        usage[rows[:n_train]] = TRAIN
        usage[rows[n_train : n_train + n_val]] = VAL
        usage[rows[n_train + n_val :]] = TEST
    raw = RawData(
        images=images,
        labels=labels,
        usage=usage,
        source=f"synthetic(n_per_class={n_per_class}, seed={seed})",
        format="synthetic",
        fingerprint=hash_arrays(images, labels, usage),
        generator={"n_per_class": n_per_class, "seed": seed},
    )
    return split_raw(raw, split=split, seed=split_seed)


def draw_faces(n_per_class: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n_per_class`` faces of each class in random order.

    Returns uint8 images ``(7 * n_per_class, 48, 48)`` and int64 labels.
    """
    if n_per_class < 1:
        raise ValueError(f"n_per_class must be at least 1, got {n_per_class}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(len(CLASS_NAMES)), n_per_class))
    images = np.empty((len(labels), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i] = _draw_face(label, rng)
    return images, labels.astype(np.int64)


def _expression(label: int, rng: np.random.Generator) -> dict[str, float]:
    intensity = rng.uniform(0.3, 1.0)
    params = _NEUTRAL + intensity * (_EXPRESSIONS[label] - _NEUTRAL)
    params = params + rng.normal(0.0, _JITTER)
    params[0] = max(params[0], 0.015)  # eyes never fully vanish
    params[3] = max(params[3], 0.15)
    params[5] = max(params[5], 0.0)
    return dict(zip(_PARAM_NAMES, params, strict=True))


def _draw_face(label: int, rng: np.random.Generator) -> np.ndarray:
    p = _expression(label, rng)
    background = rng.uniform(20, 140)
    skin = rng.uniform(120, 215)
    feature = max(skin - rng.uniform(70, 120), 5.0)
    canvas = np.full((_CANVAS, _CANVAS), background, dtype=np.float32)
    cx, cy = _CANVAS / 2, _CANVAS / 2 + 2

    def pt(x: float, y: float) -> tuple[int, int]:
        # fixed-point coordinates (4 fractional bits) for sub-pixel drawing
        return (round((cx + x * _UNIT) * 16), round((cy + y * _UNIT) * 16))

    def axes(ax: float, ay: float) -> tuple[int, int]:
        return (max(round(ax * _UNIT * 16), 1), max(round(ay * _UNIT * 16), 1))

    aa, shift = cv2.LINE_AA, 4
    cv2.ellipse(canvas, pt(0, 0), axes(1.0, 1.25), 0, 0, 360, skin, -1, aa, shift)
    eye_y = -0.22
    for side in (-1, 1):
        cv2.ellipse(
            canvas,
            pt(0.4 * side, eye_y),
            axes(0.17, p["eye_open"]),
            0,
            0,
            360,
            feature,
            -1,
            aa,
            shift,
        )
        brow_y = eye_y - p["brow_raise"]
        outer = pt(0.65 * side, brow_y)
        inner = pt(0.15 * side, brow_y + p["brow_tilt"])
        cv2.line(canvas, outer, inner, feature, 3, aa, shift)
    cv2.line(canvas, pt(0, -0.05), pt(-0.06, 0.25), feature, 2, aa, shift)
    cv2.fillPoly(canvas, [_mouth_polygon(p, pt)], feature, aa, shift)

    canvas = _pose(canvas, rng, background)
    canvas += _lighting(rng)
    image = cv2.resize(canvas, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (3, 3), rng.uniform(0.3, 1.0))
    image += rng.normal(0.0, rng.uniform(3.0, 12.0), image.shape).astype(np.float32)
    return np.clip(image, 0, 255).round().astype(np.uint8)


def _mouth_polygon(p: dict[str, float], pt) -> np.ndarray:
    x = np.linspace(-1.0, 1.0, 15)
    half_width, mouth_y = p["mouth_width"], 0.62
    centre = mouth_y - p["mouth_curve"] * x**2 - p["mouth_asym"] * (x + 1) / 2
    opening = (p["mouth_open"] + 0.035) * (1 - x**2)
    upper = [pt(half_width * xi, yi) for xi, yi in zip(x, centre - opening, strict=True)]
    lower = [pt(half_width * xi, yi) for xi, yi in zip(x, centre + opening, strict=True)]
    return np.array(upper + lower[::-1], dtype=np.int32)


def _pose(canvas: np.ndarray, rng: np.random.Generator, background: float) -> np.ndarray:
    angle = rng.uniform(-12, 12)
    scale = rng.uniform(0.85, 1.12)
    matrix = cv2.getRotationMatrix2D((_CANVAS / 2, _CANVAS / 2), angle, scale)
    matrix[:, 2] += rng.uniform(-6, 6, size=2)
    if rng.random() < 0.5:  # mirror: expressions are left-right symmetric but for asymmetry
        canvas = canvas[:, ::-1].copy()
    return cv2.warpAffine(
        canvas,
        matrix,
        (_CANVAS, _CANVAS),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=float(background),
    )


def _lighting(rng: np.random.Generator) -> np.ndarray:
    direction = rng.uniform(0, 2 * np.pi)
    strength = rng.uniform(0, 45)
    grid = np.linspace(-1, 1, _CANVAS, dtype=np.float32)
    xx, yy = np.meshgrid(grid, grid)
    return strength * (np.cos(direction) * xx + np.sin(direction) * yy)
