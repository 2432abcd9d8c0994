"""An extractor of the user's own, registered by one call, in the same grid search."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from fer_classic.classical import grid_search
from fer_classic.classical.persistence import load_pipeline
from fer_classic.data import make_synthetic
from fer_classic.features import FEATURES, register_extractor
from fer_classic.runs import CLASSICAL_MODEL


class CellMeans(TransformerMixin, BaseEstimator):
    """Mean grey level of each ``cell`` x ``cell`` block of a face: float32 (N, (48/cell)**2)."""

    def __init__(self, cell: int = 8):
        self.cell = cell

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        images = np.asarray(X, dtype=np.float32)
        n, side = len(images), images.shape[1] // self.cell
        blocks = images[:, : side * self.cell, : side * self.cell]
        blocks = blocks.reshape(n, side, self.cell, side, self.cell)
        return blocks.mean(axis=(2, 4)).reshape(n, -1)


@pytest.fixture
def cells():
    register_extractor("cells", CellMeans)
    yield "cells"
    FEATURES.pop("cells")


def test_a_registered_extractor_is_searched_combined_and_loaded(cells, tmp_path):
    data = make_synthetic(n_per_class=12)
    grid = {"knn": {"n_neighbors": [1, 3]}, "features": {"cells": {"cell": 6}}}
    result = grid_search(data, features="cells,hog+cells", models="knn", grid=grid,
                         out=tmp_path / "run")  # fmt: skip
    assert {r["feature"] for r in result.records} == {"cells", "hog+cells"}
    model = load_pipeline(tmp_path / "run" / CLASSICAL_MODEL)  # trusted: it is registered
    assert (model.predict(data.test.images) >= 0).all()
    again = grid_search(data, features="cells,hog+cells", models="knn", grid=grid,
                        out=tmp_path / "run")  # fmt: skip
    assert again.resumed and again.best == result.best


def test_registration_checks_name_and_class(cells):
    with pytest.raises(ValueError, match="registered already"):
        register_extractor("cells", CellMeans)
    with pytest.raises(ValueError, match="use letters, digits"):
        register_extractor("a+b", CellMeans)
    with pytest.raises(ValueError, match="not a scikit-learn transformer"):
        register_extractor("other", int)


def test_installed_packages_register_through_entry_points(monkeypatch):
    from importlib import metadata

    from fer_classic.features import registry

    entries = [
        metadata.EntryPoint("cells", f"{__name__}:CellMeans", registry.ENTRY_POINT_GROUP),
        metadata.EntryPoint("broken", f"{__name__}:Missing", registry.ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(metadata, "entry_points", lambda group: entries)
    monkeypatch.setattr(registry, "FEATURES", dict(registry.FEATURES))
    with pytest.warns(UserWarning, match="entry point broken = .*: not registered"):
        registry._register_entry_points()
    assert registry.FEATURES["cells"] is CellMeans and "broken" not in registry.FEATURES
