"""Local binary patterns (LBP), batched, with ``skimage.feature.local_binary_pattern``'s codes.

What it captures: micro-texture (spots, edges, corners, flat areas) around
each pixel, invariant to monotonic changes of grey level; histograms of the
codes over a grid of cells add where each texture occurs (Ahonen et al.'s face
descriptor).

The codes are scikit-image's, for each pixel ``(r, c)``:

1. ``P`` neighbours at ``(r - R sin(2 pi p / P), c + R cos(2 pi p / P))``
   with offsets rounded to 5 decimals, sampled by bilinear interpolation in
   float64 (grey level 0 outside the image), in skimage's order of operations;
2. bit ``p`` is set when ``neighbour - centre >= 0``;
3. ``method``: 'default' ``sum(bit_p << p)``, in [0, 2**P); 'ror' the smallest
   value over the ``P`` circular rotations of that code; 'uniform' the number
   of set bits when the code has at most 2 changes 0/1, else ``P + 1``;
   'nri_uniform' a value of its own, 0 .. ``P * (P - 1) + 1``, for each of the
   ``P * (P - 1) + 2`` uniform codes and ``P * (P - 1) + 2`` for all others.

The batch code interpolates shifted copies of the whole batch, with the
per-row and per-column fractions skimage computes, so codes are equal, not
merely close; a lookup table over all ``2**P`` default codes maps them to the
other methods.
"""

from __future__ import annotations

import functools

import numpy as np

from ._base import ImageFeatures
from ._batch import map_chunks
from ._cells import cell_histograms
from ._validation import as_images, check_choice, check_grid, check_positive_int

METHODS = ("default", "ror", "uniform", "nri_uniform")
# 'default' and 'ror' histograms have up to 2**P bins per cell: keep them sane.
MAX_POINTS = {"default": 12, "ror": 16, "uniform": 24, "nri_uniform": 24}
_CHUNK = 16  # images per chunk: the float64 shifted copies stay in cache


def _check_params(P, R, method) -> tuple[int, float]:
    check_choice("method", method, METHODS)
    P = check_positive_int("P", P)
    if P > MAX_POINTS[method]:
        raise ValueError(f"P must be at most {MAX_POINTS[method]} for method={method!r}; got {P}")
    if isinstance(R, bool) or not isinstance(R, (int, float, np.integer, np.floating)) or not R > 0:
        raise ValueError(f"R must be a positive number; got {R!r}")
    return P, float(R)


_BYTE_POPCOUNT = np.array([bin(b).count("1") for b in range(256)], dtype=np.int32)


def _popcount(codes: np.ndarray) -> np.ndarray:
    """Set bits of each non-negative int32, a byte at a time."""
    return sum(_BYTE_POPCOUNT[(codes >> shift) & 255] for shift in (0, 8, 16, 24))


def _lowest_bit(codes: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each int32 (garbage where the code is 0)."""
    return np.log2(np.maximum(codes & -codes, 1)).astype(np.int32)


@functools.lru_cache(maxsize=8)
def _code_table(P: int, method: str) -> tuple[np.ndarray, np.ndarray, int]:
    """``(values, bins, n_bins)`` for every default code ``0 .. 2**P - 1``.

    ``values[code]`` is skimage's value under ``method``; ``bins[code]`` numbers
    the values that can occur, in increasing order, for the histograms.
    """
    codes = np.arange(2**P, dtype=np.int32)
    if method == "default":
        return codes, codes, 2**P
    if method == "ror":
        values = codes.copy()
        for shift in range(1, P):
            rotated = ((codes >> shift) | (codes << (P - shift))) & (2**P - 1)
            np.minimum(values, rotated, out=values)
        distinct, bins = np.unique(values, return_inverse=True)
        return values, bins.astype(np.int32), len(distinct)
    n_ones = _popcount(codes)
    # 0/1 changes between neighbours 0..P-1, not wrapping around, as skimage counts them.
    changes = _popcount((codes ^ (codes >> 1)) & (2 ** (P - 1) - 1))
    if method == "uniform":
        values = np.where(changes <= 2, n_ones, P + 1).astype(np.int32)
        return values, values, P + 2
    # nri_uniform: 0, then P - 1 rotations for each count of ones, then all ones, then the rest.
    first_one = _lowest_bit(codes)
    first_zero = _lowest_bit(~codes & (2**P - 1))
    rot_index = np.where(first_one == 0, n_ones - first_zero, P - first_one)
    values = 1 + (n_ones - 1) * P + rot_index
    values[n_ones == 0] = 0
    values[n_ones == P] = P * (P - 1) + 1
    values[changes > 2] = P * (P - 1) + 2
    values = values.astype(np.int32)
    return values, values, P * (P - 1) + 3


def _sampling_points(P: int, R: float):
    """skimage's neighbour offsets, rounded to 5 decimals."""
    angles = 2 * np.pi * np.arange(P, dtype=np.float64) / P
    return np.round(-R * np.sin(angles), 5), np.round(R * np.cos(angles), 5)


def _default_codes(images: np.ndarray, P: int, R: float) -> np.ndarray:
    """skimage's 'default' LBP codes of a uint8 batch, int ``(N, H, W)``."""
    n, h, w = images.shape
    pad = int(np.ceil(R)) + 1
    padded = np.zeros((n, h + 2 * pad, w + 2 * pad), dtype=np.float64)
    padded[:, pad : pad + h, pad : pad + w] = images
    centre = padded[:, pad : pad + h, pad : pad + w]
    codes = np.zeros((n, h, w), dtype=np.int32)
    rows, cols = np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64)

    def shifted(dr: int, dc: int) -> np.ndarray:
        return padded[:, pad + dr : pad + dr + h, pad + dc : pad + dc + w]

    for p, (rp, cp) in enumerate(zip(*_sampling_points(P, R), strict=True)):
        # Exactly skimage's per-pixel arithmetic: r = row + rp, minr = floor(r), dr = r - minr.
        r, c = rows + rp, cols + cp
        min_r, min_c = np.floor(r), np.floor(c)
        frac_r, frac_c = (r - min_r)[:, None], (c - min_c)[None, :]
        # floor(row + rp) - row is the same for every row (rp is rounded to 5 decimals).
        top, left = int(min_r[0]), int(min_c[0])
        bottom = top + int(np.ceil(r[0]) - min_r[0])
        right = left + int(np.ceil(c[0]) - min_c[0])
        if bottom == top and right == left:
            neighbour = shifted(top, left)
        else:
            upper = (1 - frac_c) * shifted(top, left) + frac_c * shifted(top, right)
            lower = (1 - frac_c) * shifted(bottom, left) + frac_c * shifted(bottom, right)
            neighbour = (1 - frac_r) * upper + frac_r * lower
        codes |= (neighbour - centre >= 0).astype(np.int32) << p
    return codes


def lbp_codes(images, P=8, R=1, method="uniform") -> np.ndarray:
    """LBP code of every pixel, equal to ``skimage.feature.local_binary_pattern`` per image.

    Returns int ``(N, H, W)`` (skimage returns the same values as float64).
    """
    images = as_images(images)
    P, R = _check_params(P, R, method)
    values, _, _ = _code_table(P, method)
    return np.concatenate(
        [
            values[_default_codes(images[s : s + _CHUNK], P, R)]
            for s in range(0, len(images), _CHUNK)
        ]
    )


def _lbp_histograms(images, P, R, method, grid):
    _, bins, n_bins = _code_table(P, method)
    return cell_histograms(bins[_default_codes(images, P, R)], n_bins, grid)


def n_lbp_bins(P: int, method: str) -> int:
    """Histogram bins per cell for ``P`` points and ``method``.

    ``2**P`` ('default'), the distinct rotation minima ('ror', 36 for ``P=8``),
    ``P + 2`` ('uniform'), ``P * (P - 1) + 3`` ('nri_uniform').
    """
    return _code_table(P, method)[2]


def lbp_features(images, P=8, R=1, method="uniform", grid=(6, 6), n_jobs=None) -> np.ndarray:
    """Histograms of LBP codes over a grid of cells.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey images.
    P : int
        Neighbours on the circle: up to 24 ('uniform', 'nri_uniform'), 16
        ('ror') or 12 ('default', whose histograms have 2**P bins).
    R : float
        Radius of the circle in pixels.
    method : {'default', 'ror', 'uniform', 'nri_uniform'}
        Code mapping (see the module docstring).
    grid : int or (rows, cols)
        Cells of near-equal size (``np.array_split`` boundaries).
    n_jobs : int or None
        joblib workers over chunks of the batch; None is one.

    Returns
    -------
    float32 (N, rows * cols * n_lbp_bins(P, method)): per cell (row-major), the
    fraction of its pixels with each code value, in increasing order of value.
    The defaults give 6 * 6 * 10 = 360 values.
    """
    images = as_images(images)
    P, R = _check_params(P, R, method)
    grid = check_grid(grid, images.shape[1:])
    return map_chunks(
        _lbp_histograms,
        images,
        chunk_size=_CHUNK,
        n_jobs=n_jobs,
        P=P,
        R=R,
        method=method,
        grid=grid,
    )


class LbpFeatures(ImageFeatures):
    """LBP histograms as a transformer; see :func:`lbp_features`.

    Parameters
    ----------
    P : int, default=8
    R : float, default=1
    method : {'default', 'ror', 'uniform', 'nri_uniform'}, default='uniform'
    grid : int or (rows, cols), default=(6, 6)
    n_jobs : int or None, default=None
        Parallel workers; does not change the output.

    Output size: ``rows * cols * n_lbp_bins(P, method)``, 360 with the defaults.
    """

    def __init__(self, P=8, R=1, method="uniform", grid=(6, 6), n_jobs=None):
        self.P = P
        self.R = R
        self.method = method
        self.grid = grid
        self.n_jobs = n_jobs

    def _n_features(self, image_shape):
        P, _ = _check_params(self.P, self.R, self.method)
        rows, cols = check_grid(self.grid, image_shape)
        return rows * cols * n_lbp_bins(P, self.method)

    _function = staticmethod(lbp_features)
