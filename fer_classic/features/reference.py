"""Per-image reference loops over scikit-image and dlib: the definitions the batch code must match.

Slow on purpose: one library call per image (and per cell, per filter), the
way one would write the features without this package. The tests compare the
batch extractors with these, and ``benchmarks/bench_features.py`` times both
in the same run. Each takes the parameters of the extractor it defines as
required keywords: the defaults are the extractor's alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import as_images

_Pair = int | tuple[int, int]


def _pair(value: _Pair) -> tuple[int, int]:
    """An int means a square, as in the extractors."""
    return (value, value) if isinstance(value, int) else tuple(value)


def _cell_slices(image_shape: tuple[int, ...], grid: tuple[int, int]) -> list[tuple[slice, slice]]:
    """Row and column slices of the grid's cells, row-major (``np.array_split`` boundaries)."""
    rows = [(a[0], a[-1] + 1) for a in np.array_split(np.arange(image_shape[0]), grid[0])]
    cols = [(a[0], a[-1] + 1) for a in np.array_split(np.arange(image_shape[1]), grid[1])]
    return [(slice(*r), slice(*c)) for r in rows for c in cols]


def hog_reference(
    images: np.ndarray,
    *,
    orientations: int,
    pixels_per_cell: _Pair,
    cells_per_block: _Pair,
    block_norm: str,
    transform_sqrt: bool,
) -> np.ndarray:
    """``skimage.feature.hog`` of each image, stacked as float32 ``(N, n_features)``.

    The parameters are those of :func:`~fer_classic.features.hog_features`.
    """
    from skimage.feature import hog

    return np.stack(
        [
            hog(
                image,
                orientations=orientations,
                pixels_per_cell=_pair(pixels_per_cell),
                cells_per_block=_pair(cells_per_block),
                block_norm=block_norm,
                transform_sqrt=transform_sqrt,
            )
            for image in as_images(images)
        ]
    ).astype(np.float32)


def lbp_reference(images: np.ndarray, *, P: int, R: float, method: str, grid: _Pair) -> np.ndarray:
    """``local_binary_pattern`` of each image, then ``np.histogram`` per cell, float32.

    One bin per value the method can give; the parameters are those of
    :func:`~fer_classic.features.lbp_features`.
    """
    from skimage.feature import local_binary_pattern

    from .lbp import _code_table

    images = as_images(images)
    values = np.unique(_code_table(P, method)[0])
    edges = np.append(values, values[-1] + 1)  # one bin per possible value
    cells = _cell_slices(images.shape[1:], _pair(grid))
    out = []
    for image in images:
        codes = local_binary_pattern(image, P, R, method)
        out.append(
            np.concatenate(
                [np.histogram(codes[cell], bins=edges)[0] / codes[cell].size for cell in cells]
            )
        )
    return np.asarray(out, dtype=np.float32)


def gabor_reference(
    images: np.ndarray,
    *,
    frequencies: Sequence[float],
    n_orientations: int,
    bandwidth: float,
    grid: _Pair,
    pooling: str,
) -> np.ndarray:
    """``skimage.filters.gabor`` of each image and filter, its magnitude pooled per cell, float32.

    Images are scaled to [0, 1] grey levels first; the parameters are those of
    :func:`~fer_classic.features.gabor_features`.
    """
    from skimage.filters import gabor

    images = as_images(images)
    cells = _cell_slices(images.shape[1:], _pair(grid))
    out = []
    for image in images:
        image = image / 255.0
        features = []
        for frequency in frequencies:
            for k in range(n_orientations):
                real, imag = gabor(
                    image, frequency, theta=np.pi * k / n_orientations, bandwidth=bandwidth
                )
                magnitude = np.hypot(real, imag)
                for cell in cells:
                    values = magnitude[cell]
                    features.append(values.mean())
                    if pooling == "mean_std":
                        features.append(values.std())
        out.append(features)
    return np.asarray(out, dtype=np.float32)


def landmarks_reference(images: np.ndarray, *, size: int) -> np.ndarray:
    """dlib's 68 points of each image, resized to ``size`` pixels with the whole frame as the box.

    Returns float32 ``(N, 68, 2)`` (x, y) in the coordinates of the resized image.
    The predictor is the process's one (loaded once), as ours uses.
    """
    import cv2
    import dlib

    from .landmarks import _predictor

    predictor = _predictor()
    box = dlib.rectangle(0, 0, size - 1, size - 1)
    out = np.empty((len(images), 68, 2), dtype=np.float32)
    for k, image in enumerate(as_images(images)):
        shape = predictor(cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR), box)
        out[k] = [(p.x, p.y) for p in shape.parts()]
    return out
