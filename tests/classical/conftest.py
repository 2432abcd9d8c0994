"""Small data sets and grids for the classical search tests."""

from __future__ import annotations

import pytest

from fer_classic.data import make_synthetic


@pytest.fixture(scope="session")
def small_dataset():
    """The synthetic data set, 30 images per class: 147 train, 21 val, 42 test."""
    return make_synthetic(30, seed=0)


#: A grid of every model, small enough for a test: 4 KNN, 3 SVM, 2 RF candidates.
TINY_GRID = {
    "knn": {
        "scaler": "standard",
        "n_neighbors": [1, 5],
        "weights": ["uniform", "distance"],
        "p": 1,
    },
    "svm": [
        {"scaler": "standard", "kernel": "linear", "C": [0.01, 1.0]},
        {"scaler": "standard", "pca": 20, "kernel": "rbf", "C": 10},
    ],
    "rf": {"n_estimators": 15, "class_weight": ["none", "balanced"]},
}


@pytest.fixture
def tiny_grid():
    return {model: grid for model, grid in TINY_GRID.items()}
