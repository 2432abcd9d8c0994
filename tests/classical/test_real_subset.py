"""The search on a small stratified subset of FER-2013: real faces, seconds of work."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.classical import grid_search
from fer_classic.classical.persistence import load_pipeline
from fer_classic.data import FERDataset, dataset_from_arrays, load_dataset

pytestmark = [pytest.mark.real_data, pytest.mark.slow]


@pytest.fixture(scope="module")
def fer_subset(fer2013_path) -> FERDataset:
    """700 Training, 200 PublicTest and 200 PrivateTest images, every class present."""
    full = load_dataset(fer2013_path, split="canonical")
    rng = np.random.default_rng(0)
    parts = [
        rng.choice(len(s), n, replace=False)
        for s, n in zip(full.splits, (700, 200, 200), strict=True)
    ]
    images = np.concatenate([s.images[p] for s, p in zip(full.splits, parts, strict=True)])
    labels = np.concatenate([s.labels[p] for s, p in zip(full.splits, parts, strict=True)])
    usage = np.repeat([0, 1, 2], [len(p) for p in parts])
    return dataset_from_arrays(images, labels, usage, split="canonical", source="fer2013-subset")


def test_hog_svm_and_knn_beat_chance_on_real_faces(fer_subset, tmp_path):
    grid = {
        "knn": {"scaler": "standard", "n_neighbors": [3, 9], "weights": "distance", "p": [1, 2]},
        "svm": {"scaler": "standard", "pca": 50, "kernel": "rbf", "C": [1, 10]},
    }
    result = grid_search(
        fer_subset, features="hog", models="knn,svm", grid=grid, out=tmp_path / "run", n_jobs=2
    )
    assert len(result.records) == 6
    # Seven classes, the largest (happy) a quarter of the images: chance is well below 30%.
    assert result.best["score"] > 0.3
    assert result.metrics["accuracy"] > 0.3
    model = load_pipeline(result.run_dir / "model.skops")
    predicted = model.predict(fer_subset.test.images)
    assert np.mean(predicted == fer_subset.test.labels) == pytest.approx(result.metrics["accuracy"])
