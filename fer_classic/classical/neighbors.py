"""Exact k-nearest neighbours under a Minkowski norm, fast enough for raw pixels.

scikit-learn's brute-force search costs minutes per L1 query of FER-2013's
validation split against its training split (2,304 raw pixels) and hours for
the L3 norm, which seed 003's norm sweep needs. Here L1 and L2 distances come
from OpenCV's vectorised ``batchDistance`` (about 2x faster for L1) and other
norms from chunked numpy (about 7x faster for L3).

Neighbours are ordered by distance, then by training index: the first ``k`` of
a query for ``k_max >= k`` neighbours are exactly the neighbours of a query for
``k``. That is what lets a grid search score every ``n_neighbors`` and
``weights`` from one query (:func:`vote`), with the same predictions as
:class:`KNNClassifier` fitted with those parameters.
"""

from __future__ import annotations

import cv2
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

WEIGHTS = ("uniform", "distance")
_CV2_NORMS = {1: cv2.NORM_L1, 2: cv2.NORM_L2}
_CHUNK_ROWS = 64


def _check_p(p) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not p >= 1:
        raise ValueError(f"p must be a number >= 1 (1: Manhattan, 2: Euclidean); got {p!r}")
    return float(p)


def _minkowski_chunk(queries: np.ndarray, reference: np.ndarray, p: float) -> np.ndarray:
    """Distances ``(len(queries), len(reference))`` under the norm ``p`` (float64)."""
    out = np.empty((len(queries), len(reference)), dtype=np.float64)
    integer_p = float(p).is_integer()
    for row, query in enumerate(queries):
        diff = np.abs(reference - query)
        if integer_p:
            power = diff.copy()
            for _ in range(int(p) - 1):
                power *= diff
        else:
            power = diff**p
        out[row] = power.sum(axis=1, dtype=np.float64)
    return out ** (1.0 / p)


def minkowski_kneighbors(
    queries: np.ndarray, reference: np.ndarray, n_neighbors: int, p: float = 2
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_neighbors`` nearest rows of ``reference`` for each row of ``queries``.

    Parameters
    ----------
    queries : float array (M, D)
    reference : float array (N, D), N >= n_neighbors
    n_neighbors : int
    p : float >= 1
        Minkowski norm: 1 Manhattan, 2 Euclidean, 3 ...

    Returns
    -------
    distances : float64 (M, n_neighbors), ascending in each row
    indices : int64 (M, n_neighbors), rows of ``reference``; equal distances are
        ordered by index.
    """
    p = _check_p(p)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    reference = np.ascontiguousarray(reference, dtype=np.float32)
    if queries.ndim != 2 or reference.ndim != 2 or queries.shape[1] != reference.shape[1]:
        raise ValueError(
            f"expected 2-d queries and reference with equal columns; got {queries.shape} "
            f"and {reference.shape}"
        )
    if not 1 <= n_neighbors <= len(reference):
        raise ValueError(
            f"n_neighbors={n_neighbors} must lie in 1..{len(reference)}, the number of "
            "reference rows"
        )
    if p in _CV2_NORMS:
        # OpenCV keeps a sorted list per query and inserts a row only when strictly
        # closer, so ties stay in index order: the order the docstring promises.
        distances, indices = cv2.batchDistance(
            queries, reference, cv2.CV_32F, normType=_CV2_NORMS[p], K=int(n_neighbors)
        )
        return distances.astype(np.float64), indices.astype(np.int64)
    distances = np.empty((len(queries), n_neighbors), dtype=np.float64)
    indices = np.empty((len(queries), n_neighbors), dtype=np.int64)
    for start in range(0, len(queries), _CHUNK_ROWS):
        block = _minkowski_chunk(queries[start : start + _CHUNK_ROWS], reference, p)
        order = np.argsort(block, axis=1, kind="stable")[:, :n_neighbors]
        distances[start : start + len(block)] = np.take_along_axis(block, order, axis=1)
        indices[start : start + len(block)] = order
    return distances, indices


def vote(
    distances: np.ndarray,
    neighbor_labels: np.ndarray,
    n_classes: int,
    n_neighbors: int,
    weights: str = "uniform",
) -> np.ndarray:
    """Class scores ``(M, n_classes)`` from the first ``n_neighbors`` neighbours.

    ``distances`` and ``neighbor_labels`` are ``(M, k_max)`` from
    :func:`minkowski_kneighbors` with ``k_max >= n_neighbors``; labels are class
    indices 0..n_classes-1. ``weights``: ``"uniform"`` counts neighbours,
    ``"distance"`` weighs each by 1 / distance (as scikit-learn, a query with
    neighbours at distance zero counts only those). Rows sum to 1.
    """
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {list(WEIGHTS)}; got {weights!r}")
    dist = distances[:, :n_neighbors]
    labels = neighbor_labels[:, :n_neighbors]
    if weights == "uniform":
        w = np.ones_like(dist)
    else:
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        exact = dist == 0
        rows = exact.any(axis=1)
        w[rows] = exact[rows].astype(np.float64)
    scores = np.zeros((len(dist), n_classes), dtype=np.float64)
    np.add.at(scores, (np.arange(len(dist))[:, None], labels), w)
    return scores / scores.sum(axis=1, keepdims=True)


class KNNClassifier(ClassifierMixin, BaseEstimator):
    """k-nearest-neighbour classifier under a Minkowski norm, by exact brute force.

    Predicts as ``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")``
    with the same parameters, up to float32 rounding of distances and the
    order of equally distant neighbours (here: by training index), and much
    faster for the L1 and L3 norms (see the module docstring).

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"}, default="uniform"
    p : float >= 1, default=2
        Minkowski norm: 1 Manhattan, 2 Euclidean.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
    n_features_in_ : int
    fit_X_ : float32 ndarray (n_samples, n_features)
    fit_y_ : int64 ndarray (n_samples,), indices into ``classes_``
    """

    def __init__(self, n_neighbors: int = 5, weights: str = "uniform", p: float = 2):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.p = p

    def fit(self, X, y):
        """Store the training set; ``n_neighbors`` must not exceed its size."""
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        if self.weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {list(WEIGHTS)}; got {self.weights!r}")
        _check_p(self.p)
        if not 1 <= int(self.n_neighbors) <= len(X):
            raise ValueError(
                f"n_neighbors={self.n_neighbors} must lie in 1..{len(X)}, the number of "
                f"training samples (n_samples={len(X)})"
            )
        self.classes_, self.fit_y_ = np.unique(y, return_inverse=True)
        self.fit_X_ = np.ascontiguousarray(X)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Share of the (weighted) neighbours in each class, ``(M, n_classes)``."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, reset=False)
        distances, indices = minkowski_kneighbors(X, self.fit_X_, int(self.n_neighbors), self.p)
        return vote(
            distances, self.fit_y_[indices], len(self.classes_), int(self.n_neighbors), self.weights
        )

    def predict(self, X) -> np.ndarray:
        """The class with the highest share; ties go to the first class."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
