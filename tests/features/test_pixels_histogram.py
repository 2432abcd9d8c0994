"""Raw pixels and intensity histograms against their plain definitions."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fer_classic.features import (
    HistogramFeatures,
    PixelFeatures,
    histogram_features,
    pixel_features,
)
from fer_classic.features.reference import _cell_slices


def test_pixels_scaled_to_unit_range(images):
    out = pixel_features(images)
    assert out.dtype == np.float32 and out.shape == (len(images), 48 * 48)
    np.testing.assert_array_equal(out, images.reshape(len(images), -1) / np.float32(255))


@pytest.mark.parametrize("size", [24, (12, 16)])
def test_pixels_downscaled_by_area_averaging(images, size):
    out = pixel_features(images, size=size)
    rows, cols = (size, size) if isinstance(size, int) else size
    expected = [cv2.resize(im, (cols, rows), interpolation=cv2.INTER_AREA) for im in images]
    np.testing.assert_array_equal(out, np.reshape(expected, (len(images), -1)) / np.float32(255))
    assert PixelFeatures(size=size).fit(images)._n_features_out == rows * cols


def _reference_histograms(images, bins, grid):
    cells = _cell_slices(images.shape[1:], grid)
    return np.array(
        [
            np.concatenate(
                [np.histogram(im[c], bins=bins, range=(0, 256))[0] / im[c].size for c in cells]
            )
            for im in images
        ],
        dtype=np.float32,
    )


@pytest.mark.parametrize(("bins", "grid"), [(32, (1, 1)), (7, (3, 5)), (256, 2), (1, (48, 48))])
def test_histograms_equal_np_histogram_per_cell(images, bins, grid):
    images = images[:4]
    grid_pair = (grid, grid) if isinstance(grid, int) else grid
    out = histogram_features(images, bins=bins, grid=grid)
    np.testing.assert_allclose(out, _reference_histograms(images, bins, grid_pair), atol=1e-7)
    assert out.shape == (len(images), grid_pair[0] * grid_pair[1] * bins)
    assert HistogramFeatures(bins=bins, grid=grid).fit(images)._n_features_out == out.shape[1]
    np.testing.assert_allclose(out.reshape(len(images), -1, bins).sum(axis=-1), 1, atol=1e-6)


def test_equalized_histograms_use_cv2_equalize_hist(images):
    equalized = np.stack([cv2.equalizeHist(im) for im in images])
    np.testing.assert_array_equal(
        histogram_features(images, bins=16, equalize=True, grid=(2, 2)),
        histogram_features(equalized, bins=16, grid=(2, 2)),
    )
