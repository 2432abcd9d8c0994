"""Batch Gabor features agree with skimage.filters.gabor, image by image."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.filters import gabor

from fer_classic.features import GaborFeatures, gabor_bank, gabor_features
from fer_classic.features.gabor import _magnitudes
from fer_classic.features.reference import gabor_reference


@pytest.mark.parametrize("frequency", [0.07, 0.15, 0.5])
def test_magnitudes_equal_skimage(images, frequency):
    out = _magnitudes(images[:2], frequency, 4, 1.0)
    expected = np.stack(
        [
            [np.hypot(*gabor(im / 255.0, frequency, theta=np.pi * k / 4)) for k in range(4)]
            for im in images[:2]
        ]
    )
    # Single-precision FFTs: within 1e-4 of the largest magnitude.
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-4 * expected.max())


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"frequencies": (0.25,), "n_orientations": 3, "bandwidth": 1.5, "grid": (5, 3)},
        {"frequencies": (0.1, 0.3), "n_orientations": 2, "grid": (12, 12), "pooling": "mean"},
    ],
    ids=str,
)
def test_features_equal_reference(images, params, reference_params):
    out = gabor_features(images[:2], **params)
    reference = gabor_reference(images[:2], **reference_params(GaborFeatures(**params)))
    assert out.dtype == np.float32 and out.shape == reference.shape
    np.testing.assert_allclose(out, reference, rtol=0, atol=1e-4 * np.abs(reference).max())
    assert GaborFeatures(**params).fit(images)._n_features_out == out.shape[1]


def test_bank_is_frequency_major():
    bank = gabor_bank((0.1, 0.3), 4)
    assert len(bank) == 8
    assert bank[0].shape[0] > bank[4].shape[0]  # lower frequency, larger envelope


def test_default_size_for_fer(images):
    assert gabor_features(images[:2]).shape == (2, 576)
