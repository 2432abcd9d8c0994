"""Run directories for the comparison tests, written in the layout of ``fer_classic.runs``.

Small scikit-learn pipelines (and one tiny Keras network) fitted on the synthetic
data set stand in for the grid search's and the CNN trainer's runs. Their files
are written by the writers of the real runs, so that the comparison reads them as
it reads real runs, and a change of format shows here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from fer_classic.classical.rundir import ClassicalRun
from fer_classic.data import FERDataset, make_synthetic
from fer_classic.evaluation import classification_metrics
from fer_classic.features.pixels import PixelFeatures
from fer_classic.runs import make_manifest

N_PER_CLASS = 30


@pytest.fixture(scope="session")
def synthetic() -> FERDataset:
    return make_synthetic(N_PER_CLASS)


def write_classical_run(run_dir: Path, classifier, dataset: FERDataset) -> Path:
    """A finished classical run: raw pixels (24x24) + scaler + ``classifier``.

    Written by the grid search's own run-directory writer (:class:`ClassicalRun`).
    """
    pipeline = make_pipeline(PixelFeatures(size=24), StandardScaler(), classifier)
    pipeline.fit(dataset.train.images, dataset.train.labels)
    run = ClassicalRun(run_dir)
    manifest = make_manifest("classical", seed=0, data=dataset.describe())
    run.open({"features": "pixels", "classifier": "test"}, manifest, force=False)
    run.save_model(pipeline)
    test, names = dataset.test, dataset.class_names
    pred = pipeline.predict(test.images)  # the model's own decisions, as the grid search's
    proba = pipeline.predict_proba(test.images) if hasattr(pipeline, "predict_proba") else None
    run.save_predictions(test.indices, test.labels, pred, names, proba)
    metrics = classification_metrics(test.labels, pred, names)
    run.save_metrics({**metrics, "refit_seconds": 1.5, "search_seconds": 30.0})
    return run_dir


@pytest.fixture(scope="session")
def runs_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="session")
def knn_run(runs_root, synthetic) -> Path:
    return write_classical_run(runs_root / "knn", KNeighborsClassifier(3), synthetic)


@pytest.fixture(scope="session")
def svm_run(runs_root, synthetic) -> Path:
    return write_classical_run(runs_root / "svm", SVC(), synthetic)


@pytest.fixture(scope="session")
def other_split_run(runs_root) -> Path:
    """A run on another synthetic data set: another test split."""
    dataset = make_synthetic(N_PER_CLASS, seed=1)
    return write_classical_run(runs_root / "knn_seed1", KNeighborsClassifier(3), dataset)
