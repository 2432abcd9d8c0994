"""Checks at the boundary of the feature extractors: images in, parameters in.

Every public extractor calls :func:`as_images` once on its input and the
``check_*`` helpers on its parameters; the batch code behind them trusts what
it is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.utils import check_array

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
      value is a whole number in [0, 255] (a float image in [0, 1], scikit-image's
      convention, is refused rather than rounded to black and white).

    Raises ``ValueError`` for anything else: an empty batch, sparse, complex,
    non-finite or non-numeric data (scikit-learn's ``check_array`` messages),
    another number of dimensions, non-square rows, images smaller than
    ``min_size`` pixels on a side, or values that are not grey levels.
    """
    if not (isinstance(X, np.ndarray) and X.dtype == np.uint8 and X.ndim == 3 and len(X)):
        try:
            X = check_array(X, dtype="numeric", allow_nd=True, ensure_2d=False, input_name="X")
        except TypeError as exc:  # sparse input: scikit-learn raises TypeError
            raise ValueError(str(exc)) from exc
    if X.ndim not in (2, 3):
        raise ValueError(
            "expected images of shape (N, H, W) or flattened square images (N, H*W); "
            f"got an array of shape {X.shape}"
        )
    if X.ndim == 2:
        side = math.isqrt(X.shape[1])
        if side * side != X.shape[1]:
            raise ValueError(
                f"expected rows of flattened square images (N, S*S); got {X.shape[1]} "
                "features per row, which is not a square number"
            )
        X = X.reshape(X.shape[0], side, side)
    if min(X.shape[1:]) < min_size:
        raise ValueError(
            f"expected images at least {min_size}x{min_size} pixels; got {X.shape[1:]}"
        )
    return np.ascontiguousarray(_as_grey_levels(X))


def _as_grey_levels(X: np.ndarray) -> np.ndarray:
    if X.dtype == np.uint8:
        return X
    if X.dtype.kind not in "iuf":
        raise ValueError(
            f"expected grey levels 0..255 as uint8, integers or floats; got dtype {X.dtype}"
        )
    lo, hi = X.min(), X.max()
    if lo < 0:
        raise ValueError(f"Negative values in data: grey levels must lie in [0, 255]; got {lo}")
    if hi > 255:
        raise ValueError(
            f"expected grey levels in [0, 255]; got values up to {hi} (dtype {X.dtype})"
        )
    if X.dtype.kind == "f" and not np.array_equal(X, np.rint(X)):
        raise ValueError(
            "float grey levels must be whole numbers in [0, 255]; got fractional values "
            "(an image scaled to [0, 1]? multiply it by 255 first)"
        )
    return X.astype(np.uint8)


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
        raise ValueError(
            f"{name} must be an integer or a pair of integers; got {value!r}"
        ) from None
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
