"""Local learning: neighbours in the kernel's sense, a local SVM per test image that is the global
one when the neighbourhood is the training set, the global fallback, the shape of the scores,
scikit-learn's checks, and a grid search of ``bovw`` features with it."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_classic.classical import CLASSIFIERS, grid_search
from fer_classic.classical.grids import load_grid_file, parse_grid_document
from fer_classic.classical.kernels import KernelSVC, kernel_matrix
from fer_classic.classical.local import LocalSVC
from fer_classic.classical.persistence import load_pipeline
from fer_classic.errors import FerClassicError
from fer_classic.features import BovwFeatures
from fer_classic.runs import CLASSICAL_MODEL

GRIDS = sorted((Path(__file__).parents[2] / "benchmarks" / "grids").glob("bovw_*.toml"))


@pytest.fixture(scope="module")
def histograms():
    """L2-normalised histograms in four classes, overlapping enough for local models to differ."""
    rng = np.random.default_rng(1)
    y = np.repeat([3, 5, 7, 9], 30)  # labels that are not 0..n-1
    X = rng.random((120, 10)) * (rng.random((120, 10)) < 0.6)
    X[np.arange(120), (y - 3) // 2 * 2] += 0.8
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    order = rng.permutation(120)
    return X[order[:90]], y[order[:90]], X[order[90:]]


SETTINGS = [
    {"kernel": "linear", "method": "map"},
    {"kernel": "linear", "method": "precomputed"},
    {"kernel": "intersection", "method": "precomputed"},
    {"kernel": "chi2", "method": "map"},
    {
        "kernel": ["chi2", "linear"],
        "blocks": [4, 6],
        "kernel_weights": [2.0, 0.5],
        "method": "auto",
    },
]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
@pytest.mark.parametrize("k", [90, 1000])
def test_local_is_the_global_svm_when_k_covers_the_training_set(histograms, setting, k):
    X, y, Q = histograms
    local = LocalSVC(n_neighbors=k, C=2.0, random_state=0, **setting).fit(X, y)
    alone = KernelSVC(C=2.0, random_state=0, **setting).fit(X, y)
    np.testing.assert_allclose(local.decision_function(Q), alone.decision_function(Q), atol=1e-9)
    np.testing.assert_array_equal(local.predict(Q), alone.predict(Q))


def test_neighbours_are_the_nearest_in_the_kernel_space(histograms):
    X, y, Q = histograms
    local = LocalSVC(n_neighbors=7).fit(X, y)
    # Linear kernel: the Euclidean neighbours (the data have no ties).
    reference = NearestNeighbors(n_neighbors=7, algorithm="brute").fit(X)
    np.testing.assert_array_equal(local.neighbors(Q), reference.kneighbors(Q)[1])
    # Histogram kernels: by the kernel distance k(x_i, x_i) - 2 k(x, x_i).
    local = LocalSVC(n_neighbors=7, kernel="intersection", method="precomputed").fit(X, y)
    K = kernel_matrix(Q, X, "intersection")
    distance = X.sum(axis=1)[None, :] - 2 * K
    np.testing.assert_array_equal(local.neighbors(Q), np.argsort(distance, axis=1)[:, :7])


def test_ties_go_to_the_first_training_image():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    local = LocalSVC(n_neighbors=3).fit(X, [0, 1, 1, 0, 0])
    np.testing.assert_array_equal(local.neighbors([[1.0, 0.0]]), [[0, 2, 4]])


def test_each_test_image_gets_the_svm_of_its_neighbours(histograms):
    X, y, Q = histograms
    local = LocalSVC(n_neighbors=25, C=2.0, random_state=0).fit(X, y)
    scores = local.decision_function(Q)
    for i in (0, 5, 17):
        rows = np.sort(local.neighbors(Q[i : i + 1])[0])
        own = KernelSVC(kernel="linear", method="map", C=2.0, random_state=0)
        own.fit(X[rows], y[rows])
        positions = np.searchsorted(local.classes_, own.classes_)
        np.testing.assert_allclose(scores[i, positions], own.decision_function(Q[i : i + 1])[0])
    assert (local.predict(Q) != local.global_.predict(Q)).any()  # local models differ


def test_scores_cover_every_class_and_absent_ones_are_never_predicted():
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [20.0, 0.0]])
    X = np.vstack([c + rng.normal(0, 0.2, (10, 2)) for c in centres])
    y = np.repeat([0, 1, 2, 3, 4], 10)
    local = LocalSVC(n_neighbors=20, C=0.1, random_state=0).fit(X, y)
    near_01, near_23 = np.array([[0.0, 0.5]]), np.array([[5.0, 5.5]])
    for query, present in ((near_01, [0, 1]), (near_23, [2, 3])):
        scores = local.decision_function(query)[0]
        assert scores.shape == (5,)
        absent = np.setdiff1d(np.arange(5), present)
        # Two classes: the binary SVM's -d and d; the others one margin below.
        assert scores[present[0]] == pytest.approx(-scores[present[1]])
        np.testing.assert_allclose(scores[absent], scores[present].min() - 1)
        assert local.predict(query)[0] in present


def test_a_neighbourhood_of_one_class_falls_back_to_the_global_model():
    rng = np.random.default_rng(3)
    X = np.vstack([c + rng.normal(0, 0.1, (15, 2)) for c in ([0, 0], [3, 0], [0, 3])])
    y = np.repeat(["happy", "sad", "angry"], 15)
    local = LocalSVC(n_neighbors=5, random_state=0).fit(X, y)
    query = np.array([[3.0, 0.1], [2.9, -0.1]])  # all five neighbours are "sad"
    assert set(y[local.neighbors(query).ravel()]) == {"sad"}
    np.testing.assert_allclose(
        local.decision_function(query), local.global_.decision_function(query)
    )
    np.testing.assert_array_equal(local.predict(query), ["sad", "sad"])


def test_binary_problems_have_one_score(histograms):
    X, y, Q = histograms
    two = y < 7
    local = LocalSVC(n_neighbors=20, random_state=0).fit(X[two], y[two])
    scores = local.decision_function(Q)
    assert scores.shape == (len(Q),)
    np.testing.assert_array_equal(local.predict(Q), np.where(scores > 0, 5, 3))


def test_worker_processes_do_not_change_the_result(histograms):
    X, y, Q = histograms
    Q = np.repeat(Q, 5, axis=0)  # more than one chunk of test images
    one = LocalSVC(n_neighbors=30, random_state=0).fit(X, y).decision_function(Q)
    two = LocalSVC(n_neighbors=30, random_state=0, n_jobs=2).fit(X, y).decision_function(Q)
    np.testing.assert_array_equal(one, two)


def test_unconverged_local_svms_give_one_warning(histograms):
    X, y, Q = histograms
    local = LocalSVC(n_neighbors=30, C=1e4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local.fit(X, y)
    with pytest.warns(ConvergenceWarning) as caught:
        local.predict(Q)
    assert len(caught) == 1
    assert "local SVMs (of 30 test images) stopped at their iteration limit" in str(
        caught[0].message
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_neighbors": 0}, "n_neighbors must be a positive integer; got 0"),
        ({"n_neighbors": 2.5}, "n_neighbors must be a positive integer; got 2.5"),
        ({"n_neighbors": True}, "n_neighbors must be a positive integer; got True"),
        ({"kernel": "rbf"}, "kernel must be one of"),
        ({"C": -1.0}, "C must be a positive number"),
        ({"method": "sgd"}, "method must be one of"),
        ({"kernel": "intersection", "method": "map"}, "'intersection' has no explicit feature"),
        ({"blocks": [3, 3]}, r"blocks \[3, 3\] cover 6 columns; the data has 10"),
        ({"class_weight": {3: 1.0}}, "class_weight must be None or 'balanced'"),
    ],
)
def test_bad_parameters_raise_a_clear_value_error(histograms, params, message):
    X, y, _ = histograms
    with pytest.raises(ValueError, match=message):
        LocalSVC(**params).fit(X, y)


def test_one_class_is_a_clear_error(histograms):
    X, _, _ = histograms
    with pytest.raises(ValueError, match="LocalSVC needs at least two classes; got 1 class"):
        LocalSVC().fit(X, np.full(len(X), 3))


def test_histogram_kernels_refuse_negative_features(histograms):
    X, y, _ = histograms
    with pytest.raises(ValueError, match="Negative values in data passed to LocalSVC"):
        LocalSVC(kernel="chi2").fit(X - 0.5, y)


ORIGINAL_CLASS_WEIGHTS = (
    "sets class_weight to a dict of the original classes, which has no meaning in the "
    "one-vs-rest binary problems (refused; see tests/classical/test_kernels.py)"
)


@parametrize_with_checks(
    [
        LocalSVC(random_state=0),
        LocalSVC(n_neighbors=15, random_state=0),
        LocalSVC(n_neighbors=15, kernel="chi2", method="precomputed"),
    ],
    expected_failed_checks=lambda estimator: {
        "check_class_weight_classifiers": ORIGINAL_CLASS_WEIGHTS
    },
)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


# -- in the grid search ---------------------------------------------------------------------------


def test_registered_for_the_search_with_checked_grids():
    for name in ("local", "ksvm"):
        assert name in CLASSIFIERS
    grids, _ = parse_grid_document(
        {"local": {"n_neighbors": [50, 200], "kernel": "linear", "blocks": "none"}}
    )
    assert grids["local"] == [{"blocks": [None], "kernel": ["linear"], "n_neighbors": [50, 200]}]
    with pytest.raises(FerClassicError, match=r"\[local\] n_neighbors = 0 is invalid"):
        parse_grid_document({"local": {"n_neighbors": 0}})
    with pytest.raises(FerClassicError, match=r"\[ksvm\] kernel = 'rbf' is invalid"):
        parse_grid_document({"ksvm": {"kernel": "rbf"}})


@pytest.mark.parametrize("path", GRIDS, ids=[p.stem for p in GRIDS])
def test_the_benchmark_grid_files_are_valid(path):
    grids, features = parse_grid_document(load_grid_file(path), where=str(path))
    assert "bovw" in features and grids


@pytest.fixture
def vocabularies(monkeypatch):
    """Counts the vocabularies learnt, with the images they are learnt from."""
    calls = []
    original = BovwFeatures.fit

    def fit(self, X, y=None):
        calls.append(len(X))
        return original(self, X, y)

    monkeypatch.setattr(BovwFeatures, "fit", fit)
    return calls


@pytest.mark.slow
def test_grid_search_of_bovw_learns_its_vocabulary_once(small_dataset, tmp_path, vocabularies):
    bovw = {"n_words": 16, "step": 6, "levels": [1, 2]}
    grid = {
        "features": {"bovw": bovw},
        "local": {"n_neighbors": [40, 200], "C": [0.5]},
        "ksvm": {"kernel": "chi2", "method": "map", "C": [1.0]},
    }
    kwargs = {"features": "bovw,bovw+hog", "models": "local,ksvm", "grid": grid,
              "cache_dir": tmp_path / "cache"}  # fmt: skip
    result = grid_search(small_dataset, out=tmp_path / "run", **kwargs)
    assert vocabularies == [len(small_dataset.train)]  # once, on the training split
    assert {r["feature"] for r in result.records} == {"bovw", "bovw+hog"}
    model = load_pipeline(tmp_path / "run" / CLASSICAL_MODEL)  # trusted: registered types
    with open(tmp_path / "run" / "test_predictions.csv") as f:
        reported = [row["pred"] for row in csv.DictReader(f)]
    names = small_dataset.class_names
    assert [names[i] for i in model.predict(small_dataset.test.images)] == reported
    # Another classifier grid on the same features: nothing is learnt or computed again.
    other = {**grid, "local": {"n_neighbors": [100], "C": [2.0]}}
    grid_search(small_dataset, out=tmp_path / "run2", **{**kwargs, "grid": other})
    assert vocabularies == [len(small_dataset.train)]
