"""Scoring candidates on precomputed, preprocessed features: the work of one worker.

A *fold* is ``(X_train, y_train, X_val, y_val)``: features already scaled and
projected as the candidates ask (fitted on ``X_train``), so that a candidate
only fits and scores its classifier. With the predefined split there is one
fold (Training, PublicTest); with ``--cv K``, K.

KNN candidates that differ only in ``n_neighbors`` and ``weights`` share one
neighbour query per fold (:func:`~fer_classic.classical.neighbors.vote`); the
query time is shared out equally among them in ``score_seconds``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from .neighbors import minkowski_kneighbors, vote
from .pipelines import make_classifier
from .registry import RegisteredClassifier


class Fold(NamedTuple):
    """Training and validation features of one fold; labels are int ``(N,)``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


class Score(NamedTuple):
    """A candidate's result: mean accuracy over folds, each fold's, and seconds spent."""

    score: float
    fold_scores: list[float]
    fit_seconds: float
    score_seconds: float


def _subset(fold: Fold, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if rows is None:
        return fold.X_train, fold.y_train
    return fold.X_train[rows], fold.y_train[rows]


def score_candidate(
    model: str | RegisteredClassifier,
    params: Mapping[str, Any],
    folds: Sequence[Fold],
    rows: Sequence[np.ndarray | None],
    seed: int = 0,
) -> Score:
    """Fit ``model`` with ``params`` on each fold's training rows ``rows[i]``; score on its val.

    ``rows[i]`` selects training rows of fold ``i`` (successive halving), None: all.
    """
    scores, fit_s, score_s = [], 0.0, 0.0
    for fold, subset in zip(folds, rows, strict=True):
        X, y = _subset(fold, subset)
        classifier = make_classifier(model, params, seed)
        start = time.perf_counter()
        classifier.fit(X, y)
        fitted = time.perf_counter()
        scores.append(float(np.mean(classifier.predict(fold.X_val) == fold.y_val)))
        fit_s += fitted - start
        score_s += time.perf_counter() - fitted
    return Score(float(np.mean(scores)), scores, fit_s, score_s)


def score_knn_group(
    params_list: Sequence[Mapping[str, Any]],
    folds: Sequence[Fold],
    rows: Sequence[np.ndarray | None],
) -> list[Score]:
    """Score KNN candidates that share the norm ``p`` from one neighbour query per fold."""
    norms = {params.get("p", 2) for params in params_list}
    if len(norms) != 1:
        raise ValueError(f"a KNN group shares one norm p; got {sorted(norms)}")
    (p,) = norms
    k_max = max(int(params.get("n_neighbors", 5)) for params in params_list)
    per_fold: list[list[float]] = [[] for _ in params_list]
    query_s = 0.0
    vote_s = [0.0] * len(params_list)
    for fold, subset in zip(folds, rows, strict=True):
        X, y = _subset(fold, subset)
        classes, y_index = np.unique(y, return_inverse=True)
        start = time.perf_counter()
        distances, indices = minkowski_kneighbors(fold.X_val, X, k_max, p)
        query_s += time.perf_counter() - start
        labels = y_index[indices]
        for i, params in enumerate(params_list):
            start = time.perf_counter()
            shares = vote(
                distances,
                labels,
                len(classes),
                int(params.get("n_neighbors", 5)),
                params.get("weights", "uniform"),
            )
            predicted = classes[np.argmax(shares, axis=1)]
            per_fold[i].append(float(np.mean(predicted == fold.y_val)))
            vote_s[i] += time.perf_counter() - start
    shared = query_s / len(params_list)
    return [
        Score(float(np.mean(scores)), scores, 0.0, shared + vote_s[i])
        for i, scores in enumerate(per_fold)
    ]


def score_task(
    model: str | RegisteredClassifier,
    params_list: Sequence[Mapping[str, Any]],
    folds: Sequence[Fold],
    rows: Sequence[np.ndarray | None],
    seed: int = 0,
) -> list[Score]:
    """Scores of the candidates of one task (several only for a KNN group), in order."""
    if model == "knn":
        return score_knn_group(params_list, folds, rows)
    return [score_candidate(model, params, folds, rows, seed) for params in params_list]
