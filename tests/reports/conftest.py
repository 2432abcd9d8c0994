"""Run directories for the comparison tests, written in the layout of ``fer_classic.runs``.

Small scikit-learn pipelines (and one tiny Keras network) fitted on the synthetic
data set stand in for the grid search's and the CNN trainer's runs: same files,
same fields, so that the comparison reads them as it reads real runs.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from fer_classic.classical.persistence import save_pipeline
from fer_classic.data import FERDataset, make_synthetic
from fer_classic.features.pixels import PixelFeatures
from fer_classic.files import write_json_atomic
from fer_classic.runs import make_manifest

N_PER_CLASS = 30


@pytest.fixture(scope="session")
def synthetic() -> FERDataset:
    return make_synthetic(N_PER_CLASS)


def write_predictions(
    path: Path,
    dataset: FERDataset,
    proba: np.ndarray,
    *,
    classical: bool = False,
    pred: np.ndarray | None = None,
) -> None:
    """``test_predictions.csv``: index, true, pred, p_<class>.

    As the CNN trainer writes it (source rows, class indices), or as the grid search
    does (``classical``: rows of the test split, class names). ``pred``: the model's
    own decisions, default the arg-max of ``proba``.
    """
    if pred is None:
        pred = np.argmax(proba, axis=1)
    names = dataset.class_names
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["index", "true", "pred", *(f"p_{c}" for c in names)])
        test = dataset.test
        rows = zip(test.indices, test.labels, proba, pred, strict=True)
        for k, (i, t, p, d) in enumerate(rows):
            d = int(d)
            row = [k, names[t], names[d]] if classical else [int(i), int(t), d]
            writer.writerow([*row, *(f"{v:.6f}" for v in p)])


def write_classical_run(run_dir: Path, classifier, dataset: FERDataset) -> Path:
    """A finished classical run: raw pixels (24x24) + scaler + ``classifier``."""
    pipeline = make_pipeline(PixelFeatures(size=24), StandardScaler(), classifier)
    pipeline.fit(dataset.train.images, dataset.train.labels)
    run_dir.mkdir(parents=True)
    write_json_atomic(run_dir / "config.json", {"features": "pixels", "classifier": "test"})
    write_json_atomic(
        run_dir / "manifest.json", make_manifest("classical", seed=0, data=dataset.describe())
    )
    save_pipeline(pipeline, run_dir / "model.skops")
    if hasattr(pipeline, "predict_proba"):
        proba = pipeline.predict_proba(dataset.test.images)
    else:  # an SVM without probabilities: its decision scores, as the runs record them
        proba = pipeline.decision_function(dataset.test.images)
    pred = pipeline.predict(dataset.test.images)  # as the grid search records them
    write_predictions(run_dir / "test_predictions.csv", dataset, proba, classical=True, pred=pred)
    accuracy = float(np.mean(pred == dataset.test.labels))
    metrics = {"accuracy": accuracy, "refit_seconds": 1.5, "search_seconds": 30.0}
    write_json_atomic(run_dir / "metrics.json", metrics)
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
