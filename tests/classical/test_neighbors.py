"""The fast Minkowski k-NN against scikit-learn's brute-force KNeighborsClassifier."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_classic.classical.neighbors import KNNClassifier, minkowski_kneighbors, vote


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 12)).astype(np.float32)
    y = rng.integers(0, 4, size=300) * 2 + 1  # labels 1, 3, 5, 7: not 0..n-1
    Q = rng.normal(size=(120, 12)).astype(np.float32)
    return X, y, Q


@pytest.mark.parametrize("p", [1, 2, 3, 1.5])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("k", [1, 4, 9])
def test_predicts_as_scikit_learn(blobs, p, weights, k):
    X, y, Q = blobs
    ours = KNNClassifier(n_neighbors=k, weights=weights, p=p).fit(X, y)
    ref = KNeighborsClassifier(n_neighbors=k, weights=weights, p=p, algorithm="brute").fit(X, y)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), atol=1e-5)


@pytest.mark.parametrize("p", [1, 2, 3])
def test_neighbours_are_ordered_by_distance_then_index(p):
    rng = np.random.default_rng(1)
    reference = rng.integers(0, 3, size=(200, 4)).astype(np.float32)  # many ties
    queries = rng.integers(0, 3, size=(40, 4)).astype(np.float32)
    distances, indices = minkowski_kneighbors(queries, reference, 12, p)
    for row in range(len(queries)):
        pairs = list(zip(distances[row], indices[row], strict=True))
        assert pairs == sorted(pairs)
    for k in (1, 5):
        _, fewer = minkowski_kneighbors(queries, reference, k, p)
        np.testing.assert_array_equal(fewer, indices[:, :k])


def test_distance_weights_count_exact_matches_only():
    distances = np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 4.0]])
    labels = np.array([[1, 0, 0], [0, 1, 1]])
    shares = vote(distances, labels, 2, 3, "distance")
    np.testing.assert_allclose(shares[0], [0.0, 1.0])
    np.testing.assert_allclose(shares[1], [1 / (1 + 0.5 + 0.25), 0.75 / 1.75])


def test_too_many_neighbours_is_a_clear_error(blobs):
    X, y, _ = blobs
    with pytest.raises(ValueError, match=r"n_neighbors=301 must lie in 1\.\.300"):
        KNNClassifier(n_neighbors=301).fit(X, y)


@pytest.mark.parametrize("bad", [{"p": 0.5}, {"weights": "gaussian"}])
def test_bad_parameters(blobs, bad):
    X, y, _ = blobs
    with pytest.raises(ValueError):
        KNNClassifier(**bad).fit(X, y)


@parametrize_with_checks([KNNClassifier()])
def test_knn_classifier_passes_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_predict_before_fit_is_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        KNNClassifier().predict(np.zeros((2, 3)))
