"""Histograms of oriented gradients (HOG), batched, with ``skimage.feature.hog``'s definition.

What it captures: the direction and strength of edges (brow, eye, mouth and
wrinkle contours) per cell, contrast-normalized over overlapping blocks.

The definition is scikit-image's (``skimage/feature/_hog.py``), for grey images:

1. gradients by central differences, ``g_row[r] = I[r+1] - I[r-1]``, zero on
   the first and last row (``g_col`` likewise on columns);
2. magnitude ``hypot(g_col, g_row)``, orientation
   ``rad2deg(arctan2(g_row, g_col)) % 180``; a pixel votes its magnitude into
   bin ``i`` when ``end_i <= orientation < start_i``, with float32 bin edges
   ``start_i = float32(180 / n) * (i + 1)`` (so an orientation past the last
   rounded edge votes nowhere, as in skimage);
3. each cell's histogram is the sum of its votes divided by the cell area;
   pixels beyond the last whole cell are ignored;
4. blocks of ``cells_per_block`` cells, sliding one cell at a time, each
   normalized ('L1', 'L1-sqrt', 'L2' or 'L2-Hys' with clipping at 0.2,
   ``eps = 1e-5``), flattened in skimage's order
   ``(block_row, block_col, cell_row, cell_col, orientation)``.

Differences from a loop over skimage, tested in ``tests/features/test_hog.py``:
skimage sums each cell's votes in float32, we sum in float64 and return
float32, so values agree to about 1e-7 (the tests use 1e-5).

Speed: for uint8 images (``transform_sqrt=False``) both gradients are integers
in [-255, 255], so the bin and magnitude of every pixel come from a 511x511
lookup table computed once with skimage's float64 formulas; cell histograms
are one ``np.bincount`` per chunk of images.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ._base import ImageFeatures
from ._batch import map_chunks
from ._validation import as_images, check_choice, check_positive_int, check_positive_pair

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
_EPS = 1e-5
_CHUNK = 32  # images per chunk: small temporaries stay in cache and in the heap (no page faults)


class _Geometry(NamedTuple):
    orientations: int
    cell: tuple[int, int]
    n_cells: tuple[int, int]
    block: tuple[int, int]
    n_blocks: tuple[int, int]

    @property
    def n_features(self) -> int:
        return (
            self.n_blocks[0] * self.n_blocks[1] * self.block[0] * self.block[1] * self.orientations
        )


def _geometry(image_shape, orientations, pixels_per_cell, cells_per_block, block_norm) -> _Geometry:
    orientations = check_positive_int("orientations", orientations)
    cell = check_positive_pair("pixels_per_cell", pixels_per_cell)
    block = check_positive_pair("cells_per_block", cells_per_block)
    check_choice("block_norm", block_norm, BLOCK_NORMS)
    n_cells = (image_shape[0] // cell[0], image_shape[1] // cell[1])
    n_blocks = (n_cells[0] - block[0] + 1, n_cells[1] - block[1] + 1)
    if min(n_blocks) <= 0:
        raise ValueError(
            f"images of {image_shape[0]}x{image_shape[1]} pixels are too small for "
            f"pixels_per_cell={cell} and cells_per_block={block}: they need at least "
            f"{block[0] * cell[0]}x{block[1] * cell[1]}"
        )
    return _Geometry(orientations, cell, n_cells, block, n_blocks)


def _bin_edges(orientations: int) -> np.ndarray:
    """Upper edges of the orientation bins, rounded as skimage's float32 arithmetic does."""
    step = np.float32(180.0 / orientations)
    return (step * np.arange(1, orientations + 1, dtype=np.float32)).astype(np.float64)


def _orientation_bins(g_row: np.ndarray, g_col: np.ndarray, orientations: int):
    """Bin (``orientations`` = no bin) and magnitude of float64 gradients, as skimage."""
    magnitude = np.hypot(g_col, g_row)
    orientation = np.rad2deg(np.arctan2(g_row, g_col)) % 180
    bins = np.searchsorted(_bin_edges(orientations), orientation, side="right")
    return bins, magnitude


@functools.lru_cache(maxsize=8)
def _gradient_table(orientations: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin and magnitude of every integer gradient pair.

    Indexed by ``511 * (g_row + 255) + g_col + 255``.
    """
    g = np.arange(-255, 256, dtype=np.float64)
    bins, magnitude = _orientation_bins(g[:, None], g[None, :], orientations)
    return bins.astype(np.int16).ravel(), magnitude.ravel()


def _central_differences(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """skimage's ``(g_row, g_col)`` of a batch, zero on the border rows and columns.

    Computed on the flattened batch (long contiguous runs are much faster than
    48-pixel rows); the values that straddle two rows or images are exactly
    the border ones, which are then zeroed.
    """
    n, h, w = images.shape
    flat = images.ravel()
    g_row = np.empty_like(flat)
    g_row[:w] = 0
    g_row[-w:] = 0
    np.subtract(flat[2 * w :], flat[: -2 * w], out=g_row[w:-w])
    g_row = g_row.reshape(n, h, w)
    g_row[:, [0, -1], :] = 0
    g_col = np.empty_like(flat)
    g_col[[0, -1]] = 0
    np.subtract(flat[2:], flat[:-2], out=g_col[1:-1])
    g_col = g_col.reshape(n, h, w)
    g_col[:, :, [0, -1]] = 0
    return g_row, g_col


def _gradients(images: np.ndarray, transform_sqrt: bool, orientations: int):
    """Per-pixel bin and magnitude of a uint8 batch, as skimage computes them."""
    if transform_sqrt:
        return _orientation_bins(
            *_central_differences(np.sqrt(images.astype(np.float64))), orientations
        )
    bins, magnitude = _gradient_table(orientations)
    index, g_col = _central_differences(images.astype(np.int32))
    index *= 511
    index += g_col
    index += 511 * 255 + 255
    return np.take(bins, index), np.take(magnitude, index)


@functools.lru_cache(maxsize=8)
def _vote_offsets(n: int, shape: tuple[int, int], geo: _Geometry) -> np.ndarray:
    """Where each pixel of an ``(n, H, W)`` batch votes, before adding its bin.

    Histogram ``k`` of the batch (image-major, then cells row-major) occupies
    ``n_bins = orientations + 1`` slots; the last, spare slot of each takes the
    votes skimage drops (orientations past its last rounded edge). Pixels beyond
    the last whole cell vote into a dump after the ``n * n_cells`` histograms.
    """
    (c_row, c_col), (n_row, n_col) = geo.cell, geo.n_cells
    n_bins = geo.orientations + 1
    rows, cols = np.arange(shape[0]), np.arange(shape[1])
    cell = (rows[:, None] // c_row) * n_col + cols[None, :] // c_col
    offsets = (np.arange(n)[:, None, None] * (n_row * n_col) + cell) * n_bins
    outside = (rows[:, None] >= n_row * c_row) | (cols[None, :] >= n_col * c_col)
    offsets[:, outside] = n * n_row * n_col * n_bins
    offsets.setflags(write=False)
    return offsets


def _cell_histograms(images: np.ndarray, geo: _Geometry, transform_sqrt: bool) -> np.ndarray:
    """``(N, n_cells_row, n_cells_col, orientations)`` float64, skimage's cell histograms."""
    n = len(images)
    (c_row, c_col), (n_row, n_col) = geo.cell, geo.n_cells
    bins, magnitude = _gradients(images, transform_sqrt, geo.orientations)
    n_bins = geo.orientations + 1
    index = _vote_offsets(n, images.shape[1:], geo) + bins
    size = n * n_row * n_col * n_bins
    hist = np.bincount(index.ravel(), weights=magnitude.ravel(), minlength=size + n_bins)
    hist = hist[:size].reshape(n, n_row, n_col, n_bins)[..., : geo.orientations]
    return hist / (c_row * c_col)


def _normalize_blocks(blocks: np.ndarray, method: str) -> np.ndarray:
    """Normalize each row of ``blocks`` (N, n_blocks, block_size).

    As skimage's ``_hog_normalize_block``.
    """
    if method == "L1":
        return blocks / (np.abs(blocks).sum(axis=-1, keepdims=True) + _EPS)
    if method == "L1-sqrt":
        return np.sqrt(blocks / (np.abs(blocks).sum(axis=-1, keepdims=True) + _EPS))
    out = blocks / np.sqrt(np.square(blocks).sum(axis=-1, keepdims=True) + _EPS**2)
    if method == "L2-Hys":
        np.minimum(out, 0.2, out=out)
        out /= np.sqrt(np.square(out).sum(axis=-1, keepdims=True) + _EPS**2)
    return out


def _hog(images: np.ndarray, geo: _Geometry, block_norm: str, transform_sqrt: bool) -> np.ndarray:
    hist = _cell_histograms(images, geo, transform_sqrt)
    (b_row, b_col), (nb_row, nb_col) = geo.block, geo.n_blocks
    # (N, nb_row, nb_col, orientations, b_row, b_col) -> skimage's (.., b_row, b_col, orientations)
    blocks = np.lib.stride_tricks.sliding_window_view(hist, (b_row, b_col), axis=(1, 2))
    blocks = blocks.transpose(0, 1, 2, 4, 5, 3).reshape(len(images), nb_row * nb_col, -1)
    return _normalize_blocks(blocks, block_norm).reshape(len(images), -1).astype(np.float32)


def hog_features(
    images,
    orientations=9,
    pixels_per_cell=(8, 8),
    cells_per_block=(3, 3),
    block_norm="L2-Hys",
    transform_sqrt=False,
    n_jobs=None,
) -> np.ndarray:
    """HOG descriptors of a batch, equal to ``skimage.feature.hog`` image by image.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey images.
    orientations : int
        Orientation bins over 0..180 degrees (unsigned gradients).
    pixels_per_cell : int or (rows, cols)
        Size of a cell in pixels.
    cells_per_block : int or (rows, cols)
        Size of a normalization block in cells.
    block_norm : {'L1', 'L1-sqrt', 'L2', 'L2-Hys'}
        Block normalization (see the module docstring).
    transform_sqrt : bool
        Take the square root of the grey levels first (gamma compression).
    n_jobs : int or None
        joblib workers over chunks of the batch; None is one.

    Returns
    -------
    float32 (N, n_blocks_row * n_blocks_col * cells_per_block[0] *
    cells_per_block[1] * orientations); with ``n_cells = size // pixels_per_cell``
    and ``n_blocks = n_cells - cells_per_block + 1``. 48x48 with the defaults:
    6x6 cells, 4x4 blocks of 3x3 cells, 1,296 values.
    """
    images = as_images(images)
    geo = _geometry(images.shape[1:], orientations, pixels_per_cell, cells_per_block, block_norm)
    return map_chunks(
        _hog,
        images,
        chunk_size=_CHUNK,
        n_jobs=n_jobs,
        geo=geo,
        block_norm=block_norm,
        transform_sqrt=bool(transform_sqrt),
    )


class HogFeatures(ImageFeatures):
    """HOG as a transformer; see :func:`hog_features`.

    Parameters
    ----------
    orientations : int, default=9
    pixels_per_cell : int or (rows, cols), default=(8, 8)
    cells_per_block : int or (rows, cols), default=(3, 3)
    block_norm : {'L1', 'L1-sqrt', 'L2', 'L2-Hys'}, default='L2-Hys'
    transform_sqrt : bool, default=False
    n_jobs : int or None, default=None
        Parallel workers; does not change the output.

    Output size: 1,296 for 48x48 images with the defaults (skimage's defaults).
    """

    def __init__(
        self,
        orientations=9,
        pixels_per_cell=(8, 8),
        cells_per_block=(3, 3),
        block_norm="L2-Hys",
        transform_sqrt=False,
        n_jobs=None,
    ):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.block_norm = block_norm
        self.transform_sqrt = transform_sqrt
        self.n_jobs = n_jobs

    def _n_features(self, image_shape):
        return _geometry(
            image_shape,
            self.orientations,
            self.pixels_per_cell,
            self.cells_per_block,
            self.block_norm,
        ).n_features

    _function = staticmethod(hog_features)
