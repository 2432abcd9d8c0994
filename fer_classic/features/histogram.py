"""Intensity histograms: the distribution of grey levels, globally or per cell.

What it captures: brightness and contrast, and with a spatial grid where dark
and light regions lie (open mouth, raised brows); no shape within a cell.
Seed 003 compares KNN on such histograms with KNN on raw pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._base import ImageFeatures
from ._batch import map_chunks
from ._cells import cell_histograms
from ._validation import as_images, check_grid, check_positive_int


def _check_bins(bins) -> int:
    bins = check_positive_int("bins", bins)
    if bins > 256:
        raise ValueError(f"bins must be at most 256 (one per grey level); got {bins}")
    return bins


def histogram_features(images, bins=32, equalize=False, grid=(1, 1)) -> np.ndarray:
    """Normalized grey-level histograms over a grid of cells.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey images.
    bins : int, 1..256
        Equal-width bins over the grey levels 0..255: level ``v`` falls in bin
        ``v * bins // 256``, as ``np.histogram(cell, bins, range=(0, 256))``.
    equalize : bool
        Equalize each image's histogram first (``cv2.equalizeHist``), which
        removes global brightness and contrast.
    grid : int or (rows, cols)
        Cells of near-equal size (``np.array_split`` boundaries); (1, 1) is
        one histogram of the whole image.

    Returns
    -------
    float32 (N, rows * cols * bins): per cell (row-major), the fraction of its
    pixels in each bin (each cell's histogram sums to 1).
    """
    images = as_images(images)
    bins = _check_bins(bins)
    grid = check_grid(grid, images.shape[1:])
    return map_chunks(
        _histograms, images, chunk_size=32, bins=bins, equalize=bool(equalize), grid=grid
    )


def _histograms(images: np.ndarray, bins: int, equalize: bool, grid: tuple[int, int]):
    if equalize:
        images = np.stack([cv2.equalizeHist(image) for image in images])
    labels = (images.astype(np.intp) * bins) >> 8
    return cell_histograms(labels, bins, grid)


class HistogramFeatures(ImageFeatures):
    """Intensity histograms as a transformer; see :func:`histogram_features`.

    Parameters
    ----------
    bins : int, default=32
        Grey-level bins per cell.
    equalize : bool, default=False
        Histogram-equalize each image first.
    grid : int or (rows, cols), default=(1, 1)
        Spatial grid of cells, one histogram each.

    Output size: ``rows * cols * bins`` (32 by default).
    """

    def __init__(self, bins=32, equalize=False, grid=(1, 1)):
        self.bins = bins
        self.equalize = equalize
        self.grid = grid

    def _n_features(self, image_shape):
        rows, cols = check_grid(self.grid, image_shape)
        return rows * cols * _check_bins(self.bins)

    _function = staticmethod(histogram_features)
