"""The search engine on feature matrices: halving, KNN groups, CV, resume."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from fer_classic.classical.grids import expand_grid
from fer_classic.classical.search import (
    FeatureData,
    Search,
    best_record,
    halving_rounds,
    make_candidates,
    subsample_rows,
)
from fer_classic.errors import FerClassicError


@pytest.fixture(scope="module")
def matrices():
    """Two separable-ish feature settings: 'a' informative, 'b' noise."""
    rng = np.random.default_rng(0)
    y_train = np.repeat(np.arange(4), 60)
    y_val = np.repeat(np.arange(4), 15)
    centres = rng.normal(scale=2.0, size=(4, 6))
    a = FeatureData(
        (centres[y_train] + rng.normal(size=(240, 6))).astype(np.float32),
        (centres[y_val] + rng.normal(size=(60, 6))).astype(np.float32),
    )
    b = FeatureData(
        rng.normal(size=(240, 5)).astype(np.float32), rng.normal(size=(60, 5)).astype(np.float32)
    )
    return {"a": a, "b": b}, y_train, y_val


def _candidates(models):
    grids = {
        "knn": [{"n_neighbors": [1, 3, 7], "weights": ["uniform", "distance"], "p": [1, 2]}],
        "svm": [{"scaler": ["standard"], "kernel": ["linear"], "C": [0.001, 0.01, 0.1, 1.0]}],
        "rf": [{"n_estimators": [5, 10], "max_depth": [2, None]}],
    }
    return make_candidates(
        {feature: {m: expand_grid(grids[m]) for m in models} for feature in ("a", "b")}
    )


def test_grid_scores_every_candidate_and_picks_the_informative_feature(matrices):
    features, y_train, y_val = matrices
    candidates = _candidates(["knn", "svm"])
    records = Search(candidates, y_train, y_val).run(features)
    assert len(records) == len(candidates) == 2 * (12 + 4)
    assert {r["key"] for r in records} == {c.key for c in candidates}
    assert all(r["full"] and r["n_train"] == 240 for r in records)
    best = best_record(records)
    assert best["feature"] == "a"
    assert best["score"] > 0.6


def test_knn_group_scores_equal_scikit_learn(matrices):
    features, y_train, y_val = matrices
    candidates = _candidates(["knn"])
    for r in Search(candidates, y_train, y_val).run(features):
        data = features[r["feature"]]
        ref = KNeighborsClassifier(algorithm="brute", **r["params"]).fit(data.X_train, y_train)
        assert r["score"] == pytest.approx(np.mean(ref.predict(data.X_val) == y_val))


def test_halving_keeps_the_best_third_each_round(matrices):
    features, y_train, y_val = matrices
    candidates = _candidates(["svm", "rf"])
    search = Search(candidates, y_train, y_val, search="halving", factor=2)
    records = search.run(features)
    svm_a = [r for r in records if r["feature"] == "a" and r["model"] == "svm"]
    rounds = sorted({r["round"] for r in svm_a})
    assert rounds == [0, 1]  # 4 candidates, factor 2, >= 20 rows per class
    first = sorted((r for r in svm_a if r["round"] == 0), key=lambda r: (-r["score"], r["index"]))
    second = [r for r in svm_a if r["round"] == 1]
    assert {r["key"] for r in second} == {r["key"] for r in first[:2]}
    assert all(r["n_train"] == 120 and not r["full"] for r in first)
    assert all(r["n_train"] == 240 and r["full"] for r in second)
    assert search.n_evaluations() == len(records)


def test_halving_rounds_and_subsets():
    assert halving_rounds(9, 900, 4, 3) == [100, 300, 900]
    assert halving_rounds(9, 900, 7, 3) == [300, 900]  # 100 rows < 20 per class
    assert halving_rounds(2, 900, 7, 3) == [900]
    assert halving_rounds(27, 900, 4, 3) == [100, 300, 900]  # 33 rows < 20 per class
    y = np.repeat(np.arange(3), [50, 30, 20])
    rows = subsample_rows(y, 50, seed=0)
    assert np.bincount(y[rows]).tolist() == [25, 15, 10]
    assert subsample_rows(y, 100, seed=0) is None


def test_cross_validation_uses_the_training_split_only(matrices):
    features, y_train, _ = matrices
    candidates = _candidates(["svm"])[:2]
    wrong_val = np.zeros(60, dtype=int)  # never read with cv
    records = Search(candidates, y_train, wrong_val, cv=3).run(features)
    assert all(len(r["fold_scores"]) == 3 for r in records)
    assert all(r["score"] == pytest.approx(np.mean(r["fold_scores"])) for r in records)
    with pytest.raises(FerClassicError, match="cv 100"):
        Search(candidates, y_train, wrong_val, cv=100)


def test_resume_skips_done_candidates_and_ends_the_same(matrices):
    features, y_train, y_val = matrices
    candidates = _candidates(["svm", "rf"])
    full = Search(candidates, y_train, y_val, search="halving", factor=2).run(features)
    seen = []

    def stop_after_five(record):
        seen.append(record)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Search(candidates, y_train, y_val, search="halving", factor=2).run(
            features, on_record=stop_after_five, n_jobs=2
        )
    new = []
    resumed = Search(candidates, y_train, y_val, search="halving", factor=2).run(
        features, done=seen, on_record=new.append
    )
    assert len(new) == len(full) - 5
    assert not {(r["key"], r["round"]) for r in new} & {(r["key"], r["round"]) for r in seen}

    def strip(records):
        return sorted((r["key"], r["round"], r["score"]) for r in records)

    assert strip(resumed) == strip(full)


def test_repeated_grid_values_make_one_candidate():
    candidates = make_candidates({"a": {"svm": [{"C": 1}, {"C": 1}, {"C": 2}]}})
    assert [c.params["C"] for c in candidates] == [1, 2]
    assert [c.index for c in candidates] == [0, 1]
