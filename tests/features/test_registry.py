"""Extractors by name and their concatenations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import FeatureUnion

from fer_classic.features import FEATURES, HogFeatures, make_features, parse_feature_spec


def test_registry_names():
    builtin = ["pixels", "hist", "hog", "lbp", "gabor", "landmarks", "bovw", "faceembed"]
    assert list(FEATURES) == builtin


def test_single_name_gives_the_extractor():
    extractor = make_features("hog", {"hog": {"orientations": 12}}, n_jobs=2)
    assert isinstance(extractor, HogFeatures)
    assert extractor.orientations == 12 and extractor.n_jobs == 2


def test_combination_concatenates_in_order(images):
    union = make_features("hog+lbp+hist", {"lbp": {"P": 4, "grid": 2}})
    assert isinstance(union, FeatureUnion)
    out = union.fit_transform(images)
    parts = [
        FEATURES[name](**params).transform(images)
        for name, params in [("hog", {}), ("lbp", {"P": 4, "grid": 2}), ("hist", {})]
    ]
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.hstack(parts))
    # A grid search reaches the parameters through the union.
    tuned = clone(union).set_params(hog__orientations=6)
    assert tuned.transform(images).shape[1] == out.shape[1] - 1296 + 864  # 4x4 blocks x 3x3 x 6


def test_spec_errors():
    with pytest.raises(ValueError, match=r"unknown feature extractor 'sift'.*valid names: pixels"):
        parse_feature_spec("hog+sift")
    with pytest.raises(ValueError, match="twice"):
        parse_feature_spec("hog+hog")
    with pytest.raises(ValueError, match="does not name"):
        make_features("hog", {"lbp": {"P": 4}})
    assert parse_feature_spec(" hog + lbp ") == ["hog", "lbp"]
