"""Pooling per cell of a spatial grid: histograms of labels, means and deviations.

Cells follow ``np.array_split`` along each axis: when the image size does not
divide evenly, the first cells are one pixel larger. Cells are numbered
row-major. All functions work on a whole batch at once.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=32)
def cell_index(image_shape: tuple[int, int], grid: tuple[int, int]) -> np.ndarray:
    """Cell number of each pixel, an int ``(H, W)`` array (read-only, cached)."""
    h, w = image_shape
    rows, cols = grid
    row_cell = np.repeat(np.arange(rows), [len(a) for a in np.array_split(np.arange(h), rows)])
    col_cell = np.repeat(np.arange(cols), [len(a) for a in np.array_split(np.arange(w), cols)])
    index = row_cell[:, None] * cols + col_cell[None, :]
    index.setflags(write=False)
    return index


def cell_sizes(image_shape: tuple[int, int], grid: tuple[int, int]) -> np.ndarray:
    """Number of pixels in each cell, ``(rows * cols,)``."""
    return np.bincount(cell_index(image_shape, grid).ravel(), minlength=grid[0] * grid[1])


def cell_histograms(labels: np.ndarray, n_labels: int, grid: tuple[int, int]) -> np.ndarray:
    """Normalized histogram of integer ``labels`` in each cell.

    ``labels``: int ``(N, H, W)`` with values in ``[0, n_labels)``. Returns
    float32 ``(N, rows * cols * n_labels)``: for each cell (row-major), the
    fraction of its pixels that carry each label.
    """
    n, h, w = labels.shape
    n_cells = grid[0] * grid[1]
    cells = cell_index((h, w), grid)
    offsets = (np.arange(n)[:, None, None] * n_cells + cells) * n_labels
    counts = np.bincount((offsets + labels).ravel(), minlength=n * n_cells * n_labels)
    counts = counts.reshape(n, n_cells, n_labels)
    fractions = counts / cell_sizes((h, w), grid)[:, None]
    return fractions.reshape(n, -1).astype(np.float32)


def _cell_starts(size: int, parts: int) -> np.ndarray:
    return np.cumsum([0] + [len(a) for a in np.array_split(np.arange(size), parts)[:-1]])


def cell_mean_std(
    values: np.ndarray, grid: tuple[int, int], *, with_std: bool = True
) -> np.ndarray:
    """Mean (and population standard deviation) of ``values`` in each cell.

    ``values``: float ``(N, C, H, W)`` (C maps, e.g. filter responses), summed
    in float64. Returns float64 ``(N, C, rows * cols, 2)`` [mean, std], or
    ``(N, C, rows * cols)`` [mean] when ``with_std`` is False.
    """
    n, c, h, w = values.shape
    row_starts, col_starts = _cell_starts(h, grid[0]), _cell_starts(w, grid[1])
    sizes = cell_sizes((h, w), grid)

    def cell_means(x):
        sums = np.add.reduceat(x, row_starts, axis=2, dtype=np.float64)
        sums = np.add.reduceat(sums, col_starts, axis=3)
        return sums.reshape(n, c, -1) / sizes

    mean = cell_means(values)
    if not with_std:
        return mean
    mean_sq = cell_means(np.square(values, dtype=np.float64))
    std = np.sqrt(np.maximum(mean_sq - np.square(mean), 0.0))
    return np.stack([mean, std], axis=-1)
