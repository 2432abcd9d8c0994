"""Checks at the boundary of the feature extractors: images in, parameters in.

Every public extractor calls :func:`as_images` once on its input and the
``check_*`` helpers on its parameters; the batch code behind them trusts what
it is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "as_images",
    "check_choice",
    "check_grid",
    "check_positive_int",
    "check_positive_pair",
]


def as_images(X, *, min_size: int = 1) -> np.ndarray:
    """Return ``X`` as a C-contiguous uint8 batch of grey images ``(N, H, W)``.

    Accepted input:

    - ``(N, H, W)`` images, or ``(N, D)`` rows of flattened square images
      (``D = S * S``, reshaped to ``(N, S, S)``), as in a scikit-learn
      ``Pipeline`` fed flattened pixels;
    - grey levels 0..255: uint8 as is; other integer or float dtypes when every
      value lies in [0, 255] (floats are rounded to the nearest grey level).

    Raises ``ValueError`` for anything else: an empty batch, another number of
    dimensions, non-square rows, images smaller than ``min_size`` pixels on a
    side, or a dtype or values that are not grey levels.
    """
    if isinstance(X, np.ndarray) and X.dtype == np.uint8:
        arr = X
    else:
        try:
            arr = np.asarray(X)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"expected a numeric array of images; got {type(X).__name__}") from exc
    if arr.ndim not in (2, 3):
        raise ValueError(
            "expected images of shape (N, H, W) or flattened square images (N, H*W); "
            f"got an array of shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"expected at least one image; got an empty batch of shape {arr.shape}")
    if arr.ndim == 2:
        side = math.isqrt(arr.shape[1])
        if side * side != arr.shape[1]:
            raise ValueError(
                f"expected rows of flattened square images (N, S*S); got {arr.shape[1]} "
                "features per row, which is not a square number"
            )
        arr = arr.reshape(arr.shape[0], side, side)
    if min(arr.shape[1:]) < min_size:
        raise ValueError(
            f"expected images at least {min_size}x{min_size} pixels; got {arr.shape[1:]}"
        )
    return np.ascontiguousarray(_as_grey_levels(arr))


def _as_grey_levels(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    kind = arr.dtype.kind
    if kind not in "iuf":
        raise ValueError(
            f"expected grey levels as uint8 (or integers / floats in [0, 255]); got dtype {arr.dtype}"
        )
    if kind == "f" and not np.isfinite(arr).all():
        raise ValueError("expected finite grey levels; got NaN or infinity")
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi > 255:
        raise ValueError(
            f"expected grey levels in [0, 255]; got values from {lo} to {hi} (dtype {arr.dtype})"
        )
    if kind == "f":
        arr = np.rint(arr)
    return arr.astype(np.uint8)


def check_choice(name: str, value, choices: Sequence) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}")


def check_positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int; raise ``ValueError`` unless it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def check_positive_pair(name: str, value, *, minimum: int = 1) -> tuple[int, int]:
    """Return ``value`` (an int or a pair of ints, each >= ``minimum``) as a pair."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else value
    try:
        a, b = pair
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer or a pair of integers; got {value!r}") from None
    try:
        return check_positive_int(name, a, minimum=minimum), check_positive_int(
            name, b, minimum=minimum
        )
    except ValueError:
        raise ValueError(
            f"{name} must be an integer or a pair of integers >= {minimum}; got {value!r}"
        ) from None


def check_grid(grid, image_shape: tuple[int, int]) -> tuple[int, int]:
    """Return ``grid`` as ``(rows, cols)`` of cells; each cell must hold at least one pixel."""
    rows, cols = check_positive_pair("grid", grid)
    if rows > image_shape[0] or cols > image_shape[1]:
        raise ValueError(
            f"grid {grid!r} has more cells than the {image_shape[0]}x{image_shape[1]} "
            "image has pixels"
        )
    return rows, cols

