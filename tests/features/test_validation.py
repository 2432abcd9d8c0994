"""Bad input raises a clear ValueError, in every function and transformer; good input of
any accepted form gives the same features."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from fer_classic.features import (
    FEATURES,
    gabor_features,
    histogram_features,
    hog_features,
    landmark_features,
    lbp_features,
    pixel_features,
)

FUNCTIONS = [pixel_features, histogram_features, hog_features, lbp_features, gabor_features]
ALL = [*FUNCTIONS, landmark_features, *(cls().transform for cls in FEATURES.values())]

BAD_INPUT = {
    "empty batch": (
        np.zeros((0, 48, 48), np.uint8),
        "at least one sample|at least one image|0 sample",
    ),
    "one image without batch axis": (np.zeros(48 * 48, np.uint8), "2D array|shape"),
    "4-D": (np.zeros((2, 48, 48, 3), np.uint8), r"shape \(N, H, W\)"),
    "rows not square": (np.zeros((2, 2300), np.uint8), "not a square number"),
    "complex": (np.zeros((2, 48, 48), np.complex128), "Complex data not supported"),
    "bool": (np.zeros((2, 48, 48), bool), "grey levels"),
    "strings": (np.full((2, 4), "a"), "strings|numeric"),
    "negative": (np.full((2, 48, 48), -1.0), "Negative values"),
    "above 255": (np.full((2, 48, 48), 256, np.int64), r"\[0, 255\]"),
    "NaN": (np.full((2, 48, 48), np.nan), "NaN"),
    "sparse": (sp.csr_matrix(np.ones((2, 2304))), "[Ss]parse"),
}


@pytest.mark.parametrize("bad", BAD_INPUT, ids=list(BAD_INPUT))
@pytest.mark.parametrize("extract", ALL, ids=lambda f: getattr(f, "__qualname__", str(f)))
def test_bad_input_raises_value_error(extract, bad):
    X, message = BAD_INPUT[bad]
    with pytest.raises(ValueError, match=message):
        extract(X)


@pytest.mark.parametrize("extract", FUNCTIONS, ids=lambda f: f.__name__)
def test_flattened_and_integer_valued_input_equal_uint8(extract, images):
    expected = extract(images)
    np.testing.assert_array_equal(extract(images.reshape(len(images), -1)), expected)
    np.testing.assert_array_equal(extract(images.astype(np.float64)), expected)
    np.testing.assert_array_equal(extract(images.astype(np.int64).tolist()), expected)
    np.testing.assert_array_equal(extract(np.asfortranarray(images)), expected)


def test_fractional_floats_are_refused_not_rounded(images):
    # A [0, 1] image (scikit-image's convention) would round to black and white.
    with pytest.raises(ValueError, match=r"whole numbers in \[0, 255\].*multiply it by 255"):
        hog_features(images / 255.0)
    with pytest.raises(ValueError, match="fractional values"):
        hog_features(images + np.where(images < 255, 0.4, -0.4))
    np.testing.assert_array_equal(hog_features(images / 1.0), hog_features(images))


@pytest.mark.parametrize(
    ("extract", "params", "message"),
    [
        (hog_features, {"orientations": 0}, "orientations"),
        (hog_features, {"pixels_per_cell": (8, -1)}, "pixels_per_cell"),
        (hog_features, {"block_norm": "L3"}, "block_norm must be one of"),
        (hog_features, {"pixels_per_cell": 16, "cells_per_block": 4}, "too small"),
        (lbp_features, {"method": "var"}, "method must be one of"),
        (lbp_features, {"P": 30}, "at most 24"),
        (lbp_features, {"P": 16, "method": "default"}, "at most 12"),
        (lbp_features, {"R": 0}, "R must be"),
        (lbp_features, {"grid": (49, 2)}, "more cells"),
        (histogram_features, {"bins": 300}, "at most 256"),
        (histogram_features, {"grid": "a"}, "grid"),
        (gabor_features, {"frequencies": (0.1, 0.7)}, "frequencies"),
        (gabor_features, {"pooling": "max"}, "pooling must be one of"),
        (pixel_features, {"size": 0}, "size"),
        (landmark_features, {"box": (0.5, 0, 0.4, 1)}, "box"),
    ],
)
def test_bad_parameters_raise_value_error(images, extract, params, message):
    with pytest.raises(ValueError, match=message):
        extract(images[:2], **params)


@pytest.mark.parametrize("name", FEATURES)
def test_transformer_fit_checks_parameters(name, images):
    bad = {
        "pixels": {"size": -3},
        "hist": {"bins": 0},
        "hog": {"orientations": -1},
        "lbp": {"method": "nope"},
        "gabor": {"n_orientations": 0},
        "landmarks": {"size": 4},
        "bovw": {"n_words": 0},
        "faceembed": {"padding": 2},
    }[name]
    with pytest.raises(ValueError):
        FEATURES[name](**bad).fit(images)


def test_transform_rejects_another_image_size(images):
    extractor = FEATURES["hog"]().fit(images)
    with pytest.raises(ValueError, match="X has 1600 features, but HogFeatures is expecting 2304"):
        extractor.transform(np.zeros((1, 40, 40), np.uint8))
