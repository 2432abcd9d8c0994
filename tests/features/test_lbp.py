"""Batch LBP codes and histograms equal skimage's local_binary_pattern exactly."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.feature import local_binary_pattern

from fer_classic.features import LbpFeatures, lbp_codes, lbp_features, n_lbp_bins
from fer_classic.features.reference import lbp_reference

POINTS = [(8, 1), (8, 2), (4, 1), (12, 1.5), (6, 3.7), (16, 2)]


@pytest.mark.parametrize("method", ["default", "ror", "uniform", "nri_uniform"])
@pytest.mark.parametrize(("P", "R"), POINTS, ids=str)
def test_codes_equal_skimage(images, P, R, method):
    if method == "default" and P > 12:
        pytest.skip("'default' allows P <= 12")
    expected = np.stack([local_binary_pattern(im, P, R, method) for im in images])
    np.testing.assert_array_equal(lbp_codes(images, P, R, method), expected)


def test_codes_equal_skimage_for_24_points(images):
    expected = np.stack([local_binary_pattern(im, 24, 3, "uniform") for im in images[:3]])
    np.testing.assert_array_equal(lbp_codes(images[:3], 24, 3, "uniform"), expected)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"P": 8, "R": 2, "method": "ror", "grid": (4, 5)},
        {"P": 8, "R": 1, "method": "nri_uniform", "grid": 7},
        {"P": 4, "R": 1, "method": "default", "grid": (1, 1)},
    ],
    ids=str,
)
def test_histograms_equal_reference(images, params, reference_params):
    out = lbp_features(images, **params)
    every = reference_params(LbpFeatures(**params))
    reference = lbp_reference(images, **every)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference, rtol=0, atol=1e-7)
    grid = every["grid"]
    rows, cols = (grid, grid) if isinstance(grid, int) else grid
    assert out.shape == (len(images), rows * cols * n_lbp_bins(every["P"], every["method"]))
    assert LbpFeatures(**params).fit(images)._n_features_out == out.shape[1]


@pytest.mark.parametrize(
    ("P", "method", "bins"),
    [
        (8, "uniform", 10),
        (8, "nri_uniform", 59),
        (8, "ror", 36),
        (8, "default", 256),
        (16, "uniform", 18),
    ],
)
def test_number_of_bins(P, method, bins):
    assert n_lbp_bins(P, method) == bins


def test_default_size_for_fer(images):
    assert lbp_features(images).shape == (len(images), 360)
