"""Batch HOG equals skimage.feature.hog, image by image."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.features import HogFeatures, hog_features
from fer_classic.features.hog import _bin_edges, _orientation_bins
from fer_classic.features.reference import hog_reference

PARAMS = [
    {},
    {"orientations": 8, "pixels_per_cell": (6, 6), "cells_per_block": (2, 2), "block_norm": "L1"},
    {
        "orientations": 7,
        "pixels_per_cell": (5, 7),
        "cells_per_block": (2, 1),
        "block_norm": "L1-sqrt",
    },
    {"orientations": 12, "pixels_per_cell": 4, "cells_per_block": 1, "block_norm": "L2"},
    {"orientations": 6, "transform_sqrt": True},
    {
        "orientations": 9,
        "pixels_per_cell": (16, 16),
        "cells_per_block": (2, 2),
        "transform_sqrt": True,
    },
]


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_equals_skimage(images, params, reference_params):
    out = hog_features(images, **params)
    reference = hog_reference(images, **reference_params(HogFeatures(**params)))
    assert out.dtype == np.float32
    assert out.shape == reference.shape
    # skimage sums each cell in float32, we in float64: they differ by ~1e-7.
    np.testing.assert_allclose(out, reference, rtol=0, atol=1e-5)
    assert HogFeatures(**params).fit(images)._n_features_out == out.shape[1]


def test_default_size_for_fer(images):
    assert hog_features(images).shape == (len(images), 1296)


def test_not_multiple_of_cell_size_ignores_the_remainder():
    # Pixels past the last whole cell (here column 45-47 and rows 45-47) change nothing.
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (1, 48, 48), dtype=np.uint8)
    changed = image.copy()
    changed[:, 46:, :] = 0
    changed[:, :, 46:] = 255
    params = {"pixels_per_cell": 5, "cells_per_block": 3}
    np.testing.assert_array_equal(hog_features(image, **params), hog_features(changed, **params))


def test_orientations_past_the_rounded_last_edge_vote_nowhere():
    # For some bin counts (73, 77, 146...) float32(180 / n) * n < 180, and skimage drops
    # the votes of orientations in [that edge, 180). uint8 gradients never get that close
    # to 180 degrees, so check the binning rule itself.
    edge = _bin_edges(73)[-1]
    assert edge < 180
    g_row, g_col = np.array([-1e-9, -1.0, 1.0]), np.array([1.0, 100.0, 0.0])
    bins, magnitude = _orientation_bins(g_row, g_col, 73)
    np.testing.assert_array_equal(bins, [73, 72, 36])
    np.testing.assert_allclose(magnitude, [1.0, np.hypot(1, 100), 1.0])


@pytest.mark.parametrize(
    ("shape", "cell", "block"), [((1, 1), 1, 1), ((3, 5), 1, 2), ((7, 9), 2, 2)]
)
def test_small_and_non_square_images_equal_skimage(shape, cell, block, reference_params):
    batch = np.random.default_rng(5).integers(0, 256, (3, *shape), dtype=np.uint8)
    params = {"pixels_per_cell": cell, "cells_per_block": block}
    reference = hog_reference(batch, **reference_params(HogFeatures(**params)))
    np.testing.assert_allclose(hog_features(batch, **params), reference, atol=1e-5)
