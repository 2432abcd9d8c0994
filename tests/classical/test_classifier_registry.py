"""A classifier of the user's own, registered by one call or an entry point, in the same search."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from fer_classic.classical import CLASSIFIERS, grid_search, register_classifier
from fer_classic.classical.grids import default_grid, parse_grid_document
from fer_classic.classical.persistence import load_pipeline
from fer_classic.cli.main import main
from fer_classic.errors import FerClassicError, ParameterError
from fer_classic.runs import CLASSICAL_MODEL


class Centroid(ClassifierMixin, BaseEstimator):
    """The class whose mean feature vector is nearest, by the L1 or L2 ``metric``."""

    def __init__(self, metric: str = "euclidean"):
        self.metric = metric

    def fit(self, X, y):
        self.classes_, y = np.unique(y, return_inverse=True)
        self.means_ = np.stack([X[y == i].mean(axis=0) for i in range(len(self.classes_))])
        return self

    def predict(self, X):
        diff = np.abs(X[:, None, :] - self.means_[None])
        distance = diff.sum(-1) if self.metric == "manhattan" else (diff**2).sum(-1)
        return self.classes_[np.argmin(distance, axis=1)]


@pytest.fixture
def centroid():
    register_classifier("centroid", Centroid, {"metric": ["euclidean", "manhattan"]})
    yield "centroid"
    CLASSIFIERS.pop("centroid")


@pytest.fixture
def logreg():
    register_classifier("logreg", LogisticRegression)
    yield "logreg"
    CLASSIFIERS.pop("logreg")


def test_a_registered_classifier_is_searched_in_workers_and_can_win(
    centroid, small_dataset, tmp_path
):
    # Two loky workers: fresh processes that never ran the registration above.
    result = grid_search(small_dataset, features="hog,lbp", models="centroid", out=tmp_path / "run",
                         n_jobs=2)  # fmt: skip
    ours = [r for r in result.records if r["model"] == "centroid"]
    assert {(r["feature"], r["params"]["metric"]) for r in ours} == {
        (f, m) for f in ("hog", "lbp") for m in ("euclidean", "manhattan")
    }
    assert all(0 <= r["score"] <= 1 for r in ours)
    assert result.best["model"] == "centroid" and result.metrics["best"]["model"] == "centroid"
    model = load_pipeline(tmp_path / "run" / CLASSICAL_MODEL)  # trusted: it is registered
    assert isinstance(model[-1], Centroid)
    accuracy = np.mean(model.predict(small_dataset.test.images) == small_dataset.test.labels)
    assert result.metrics["accuracy"] == pytest.approx(accuracy)
    again = grid_search(small_dataset, features="hog,lbp", models="centroid", out=tmp_path / "run")
    assert again.resumed and again.best == result.best


def test_a_scikit_learn_class_without_a_grid_is_one_candidate_of_its_defaults(logreg):
    assert default_grid("hog", "logreg", 1296, 28709) == [{}]
    assert CLASSIFIERS["logreg"].seeded and "random_state" not in CLASSIFIERS["logreg"].params
    assert (
        CLASSIFIERS["logreg"].make({"C": 0.5, "pca": 20}, seed=7).get_params()["random_state"] == 7
    )


def test_the_command_line_takes_it_in_models_grid_files_and_help(centroid, tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(
        '[centroid]\nscaler = "standard"\nmetric = ["manhattan"]\n\n[knn]\nn_neighbors = 3\n'
    )
    argv = ["grid-search", "--features", "hog", "--models", "knn,centroid", "--grid", str(grid),
            "--out", str(tmp_path / "run")]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2 candidates trained on the whole training split" in out
    assert "centroid" in out and "metric=manhattan" in out
    with pytest.raises(SystemExit):
        main(["grid-search", "--help"])
    assert "knn, svm, rf, ksvm, local, centroid" in " ".join(capsys.readouterr().out.split())


def test_unknown_names_list_the_registered_classifiers(centroid, small_dataset):
    valid = "knn, svm, rf, ksvm, local, centroid"
    with pytest.raises(ParameterError, match=f"unknown 'mlp'; valid: {valid}"):
        grid_search(small_dataset, features="hog", models="centroid,mlp", out="unused")
    with pytest.raises(FerClassicError, match=f"valid sections: features, {valid}"):
        parse_grid_document({"mlp": {"C": 1}})
    with pytest.raises(FerClassicError, match=r"\[centroid\] unknown key 'C'; valid keys: metric"):
        parse_grid_document({"centroid": {"C": 1}})


def test_registration_checks_name_class_and_grid(centroid):
    with pytest.raises(ValueError, match="registered already"):
        register_classifier("centroid", Centroid)
    with pytest.raises(ValueError, match="registered already"):
        register_classifier("knn", Centroid)
    with pytest.raises(ValueError, match="use letters, digits"):
        register_classifier("a,b", Centroid)
    with pytest.raises(ValueError, match="'features' is reserved"):
        register_classifier("features", Centroid)
    for not_a_classifier in (StandardScaler, int, lambda: 3, "Centroid"):
        with pytest.raises(ValueError, match="is not a scikit-learn classifier"):
            register_classifier("other", not_a_classifier)
    with pytest.raises(ValueError, match="cannot be called without arguments"):
        register_classifier("other", lambda metric: Centroid(metric))
    with pytest.raises(
        ValueError, match=r"default grid of classifier 'other': \[other\] unknown key"
    ):
        register_classifier("other", Centroid, {"metrc": ["manhattan"]})
    with pytest.raises(ValueError, match="checks of classifier 'other' name unknown parameters"):
        register_classifier("other", Centroid, checks={"C": (bool, "anything")})
    assert "other" not in CLASSIFIERS


def test_a_factory_with_checks_is_checked_where_the_grid_is_read():
    def shrunk(metric: str = "euclidean", random_state: int = 0) -> Centroid:
        return Centroid(metric)

    checks = {"metric": (lambda v: v in ("euclidean", "manhattan"), "euclidean or manhattan")}
    register_classifier("shrunk", shrunk, checks=checks)
    try:
        assert isinstance(CLASSIFIERS["shrunk"].make({"metric": "manhattan"}, seed=3), Centroid)
        with pytest.raises(FerClassicError, match="metric = 'cosine' is invalid; expected euclid"):
            parse_grid_document({"shrunk": {"metric": ["cosine"]}})
    finally:
        CLASSIFIERS.pop("shrunk")


def test_installed_packages_register_through_entry_points(monkeypatch):
    from importlib import metadata

    from fer_classic.classical import registry

    entries = [
        metadata.EntryPoint("centroid", f"{__name__}:Centroid", registry.ENTRY_POINT_GROUP),
        metadata.EntryPoint("broken", f"{__name__}:Missing", registry.ENTRY_POINT_GROUP),
        metadata.EntryPoint(
            "scaler", "sklearn.preprocessing:StandardScaler", registry.ENTRY_POINT_GROUP
        ),
    ]
    monkeypatch.setattr(metadata, "entry_points", lambda group: entries)
    monkeypatch.setattr(registry, "CLASSIFIERS", dict(registry.CLASSIFIERS))
    with pytest.warns(UserWarning) as caught:
        registry._register_entry_points()
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert messages[0].startswith("entry point broken = ") and "not registered" in messages[0]
    assert (
        messages[1].startswith("entry point scaler = ")
        and "not a scikit-learn classifier" in messages[1]
    )
    assert registry.CLASSIFIERS["centroid"].factory is Centroid
    assert "broken" not in registry.CLASSIFIERS and "scaler" not in registry.CLASSIFIERS
