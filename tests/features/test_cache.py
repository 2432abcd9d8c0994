"""The feature cache: computed once per data and parameters, then loaded."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.features import (
    HogFeatures,
    LbpFeatures,
    cached_transform,
    feature_cache_path,
    make_features,
)
from fer_classic.features import cache as cache_module


@pytest.fixture
def counting(monkeypatch):
    """Counts the transforms actually computed."""
    calls = []
    original = HogFeatures.transform

    def transform(self, X):
        calls.append(type(self).__name__)
        return original(self, X)

    monkeypatch.setattr(HogFeatures, "transform", transform)
    return calls


def test_second_call_loads_instead_of_computing(tmp_path, images, counting):
    first = cached_transform(HogFeatures(), images, "data-1", tmp_path)
    second = cached_transform(HogFeatures(n_jobs=2), images, "data-1", tmp_path)
    assert counting == ["HogFeatures"]  # n_jobs does not change the key
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, HogFeatures().transform(images))
    assert first.dtype == np.float32
    assert len(list(tmp_path.glob("hog-*.npy"))) == 1


def test_key_changes_with_parameters_data_and_version(tmp_path, images, counting, monkeypatch):
    cached_transform(HogFeatures(), images, "data-1", tmp_path)
    cached_transform(HogFeatures(orientations=8), images, "data-1", tmp_path)
    cached_transform(HogFeatures(), images, "data-2", tmp_path)
    monkeypatch.setattr(cache_module, "FEATURE_CACHE_VERSION", 999)
    cached_transform(HogFeatures(), images, "data-1", tmp_path)
    assert len(counting) == 4
    assert feature_cache_path(HogFeatures(), "d", tmp_path) != feature_cache_path(
        LbpFeatures(), "d", tmp_path
    )


def test_fingerprint_from_the_images_when_none_given(tmp_path, images, counting):
    cached_transform(HogFeatures(), images, None, tmp_path)
    cached_transform(HogFeatures(), images.copy(), None, tmp_path)
    cached_transform(HogFeatures(), images[::-1], None, tmp_path)
    assert len(counting) == 2


def test_unreadable_or_stale_file_is_recomputed(tmp_path, images, counting):
    path = feature_cache_path(HogFeatures(), "data-1", tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a numpy file")
    out = cached_transform(HogFeatures(), images, "data-1", tmp_path)
    np.save(path, out[:3])  # wrong number of rows
    np.testing.assert_array_equal(cached_transform(HogFeatures(), images, "data-1", tmp_path), out)
    assert len(counting) == 2
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left


def test_union_caches_each_extractor(tmp_path, images, counting):
    hog = cached_transform(make_features("hog"), images, "data-1", tmp_path)
    union = cached_transform(make_features("hog+lbp"), images, "data-1", tmp_path)
    assert counting == ["HogFeatures"]
    np.testing.assert_array_equal(union, make_features("hog+lbp").transform(images))
    np.testing.assert_array_equal(union[:, : hog.shape[1]], hog)
