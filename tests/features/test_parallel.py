"""Chunks and workers never change the output."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.features import gabor_features, hog_features, landmark_points, lbp_features
from fer_classic.features._batch import map_chunks


def _row_sums(images, scale):
    return images.reshape(len(images), -1).sum(axis=1, keepdims=True) * scale


@pytest.mark.parametrize("n_jobs", [None, 2])
@pytest.mark.parametrize("n", [1, 7, 64, 65])
def test_map_chunks_keeps_order_and_length(n, n_jobs):
    images = np.random.default_rng(n).integers(0, 256, (n, 4, 4), dtype=np.uint8)
    out = map_chunks(_row_sums, images, chunk_size=8, n_jobs=n_jobs, scale=2)
    np.testing.assert_array_equal(out, _row_sums(images, 2))


@pytest.mark.parametrize(
    "extract", [hog_features, lbp_features, gabor_features], ids=lambda f: f.__name__
)
def test_chunked_and_parallel_equal_one_batch(extract):
    rng = np.random.default_rng(1)
    images = rng.integers(
        0, 256, (300, 48, 48), dtype=np.uint8
    )  # several chunks, a ragged last one
    one_by_one = np.concatenate([extract(images[i : i + 1]) for i in (0, 150, 299)])
    serial = extract(images)
    np.testing.assert_array_equal(serial[[0, 150, 299]], one_by_one)
    np.testing.assert_array_equal(extract(images, n_jobs=2), serial)


def test_landmarks_in_workers_equal_serial(images):
    np.testing.assert_array_equal(landmark_points(images, n_jobs=2), landmark_points(images))
