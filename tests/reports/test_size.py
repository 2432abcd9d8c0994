"""What classical models store, counted from their fitted attributes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from fer_classic.classical.neighbors import KNNClassifier
from fer_classic.inference import stored_size
from fer_classic.reports.size import file_bytes


@pytest.fixture(scope="module")
def xy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 12))
    y = np.repeat(np.arange(3), 30)
    X[:, 0] += y
    return X, y


def test_svm_stores_its_support_vectors(xy):
    svm = SVC().fit(*xy)
    size = stored_size(svm)
    n_sv = len(svm.support_)
    assert size.summary == f"{n_sv} support vectors x 12 features"
    assert size.values == n_sv * 12 + svm.dual_coef_.size + svm.intercept_.size


@pytest.mark.parametrize("knn", [KNeighborsClassifier(5), KNNClassifier(5)])
def test_knn_keeps_the_training_samples(xy, knn):
    size = stored_size(knn.fit(*xy))
    assert size.summary == "90 training samples x 12 features kept"
    assert size.values == 90 * 12 + 90


def test_forest_counts_its_nodes(xy):
    forest = RandomForestClassifier(n_estimators=4, random_state=0).fit(*xy)
    nodes = sum(t.tree_.node_count for t in forest.estimators_)
    size = stored_size(forest)
    assert size.summary.startswith(f"4 trees, {nodes:,} nodes")
    assert size.values == nodes * (4 + 3)  # children, feature, threshold + 3 class values


def test_linear_model_and_calibration(xy):
    assert stored_size(LogisticRegression().fit(*xy)).values == 3 * 12 + 3
    calibrated = CalibratedClassifierCV(LinearSVC(), cv=3).fit(*xy)
    size = stored_size(calibrated)
    assert size.summary.startswith("3 calibrated copies of: linear: 3 x 12 coef")
    assert size.values == 3 * (3 * 12 + 3)


def test_pipeline_adds_its_steps(xy):
    pipeline = make_pipeline(StandardScaler(), PCA(5), KNeighborsClassifier()).fit(*xy)
    size = stored_size(pipeline)
    scaler = 3 * 12  # mean_, var_, scale_
    pca = (
        5 * 12 + 12 + 5 + 5 + 5
    )  # components_, mean_, explained_variance_(ratio_), singular_values_
    assert size.values == scaler + pca + 90 * 5 + 90
    assert size.summary == "PCA 12 -> 5; 90 training samples x 5 features kept"


def test_file_bytes(tmp_path):
    (tmp_path / "a").write_bytes(b"12345")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"123")
    assert file_bytes(tmp_path / "a") == 5
    assert file_bytes(tmp_path) == 8
