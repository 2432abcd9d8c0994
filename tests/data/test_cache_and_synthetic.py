from __future__ import annotations

import numpy as np
from skimage.feature import hog
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from fer_classic.data import load as load_module
from fer_classic.data import load_dataset, make_synthetic

from .conftest import write_fer_csv


def test_second_load_comes_from_the_cache(tmp_path, fer_csv, monkeypatch):
    cache = tmp_path / "cache"
    first = load_dataset(fer_csv, cache_dir=cache)

    def must_not_decode(*args, **kwargs):
        raise AssertionError("decoded again despite a cache entry")

    monkeypatch.setattr(load_module, "read_fer_csv", must_not_decode)
    second = load_dataset(fer_csv, cache_dir=cache)
    np.testing.assert_array_equal(first.raw.images, second.raw.images)
    assert first.fingerprint == second.fingerprint


def test_changed_file_is_decoded_again(tmp_path, small_arrays):
    images, labels, usage = small_arrays
    cache = tmp_path / "cache"
    path = write_fer_csv(tmp_path / "fer.csv", labels, usage, images)
    first = load_dataset(path, cache_dir=cache)
    flipped = images[:, :, ::-1].copy()
    write_fer_csv(path, labels, usage, flipped)
    second = load_dataset(path, cache_dir=cache)
    np.testing.assert_array_equal(second.raw.images, flipped)
    assert first.fingerprint != second.fingerprint


def test_synthetic_is_deterministic_and_shaped():
    a = make_synthetic(30, seed=5)
    b = make_synthetic(30, seed=5)
    np.testing.assert_array_equal(a.raw.images, b.raw.images)
    assert a.raw.images.shape == (210, 48, 48) and a.raw.images.dtype == np.uint8
    assert np.bincount(a.raw.labels).tolist() == [30] * 7
    assert a.is_synthetic and a.describe()["synthetic"]
    assert load_dataset(None).is_synthetic


def test_synthetic_is_learnable_but_not_trivial():
    ds = make_synthetic(120, seed=0)
    features = np.array([hog(image, pixels_per_cell=(8, 8)) for image in ds.raw.images])
    model = make_pipeline(StandardScaler(), LinearSVC(C=0.01))
    accuracy = cross_val_score(model, features, ds.raw.labels, cv=3).mean()
    assert 0.35 < accuracy < 0.95, accuracy  # chance is 1/7 = 0.14
