"""The search over precomputed features: candidates, folds, halving, parallel runs, resume.

Work is split into *tasks*: one candidate, or for KNN every candidate sharing a
feature setting, preprocessing and norm (one neighbour query serves them all).
Tasks run in parallel with joblib on whatever backend is active
(:mod:`fer_classic.classical.backends`); each finished candidate is handed to
``on_record`` at once, so a caller can persist it before the next one lands.

Protocols
---------
- predefined split (default): fit on the training split, score on validation;
- ``cv=K``: stratified K-fold on the training split (validation unused);
- ``search="halving"``: successive halving within each (feature, model)
  group: round ``r`` trains every surviving candidate on ``n / factor**(R-1-r)``
  training rows (stratified, seeded) and keeps the best ``ceil(n_r / factor)``;
  the last round trains on every row. KNN is always searched exhaustively: its
  candidates share neighbour queries, so halving would cost more.

Preprocessing (scaler, PCA) is fitted once per (feature, scaler, pca, fold) on
the fold's whole training part and shared by every candidate that asks for it.

Resume: a candidate already in ``done`` (a record with its key and round) is
not run again; halving survivors are recomputed from the records, which are
deterministic, so an interrupted and resumed search equals an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from ..errors import FerClassicError, ParameterError
from .candidates import Fold, Score, score_task
from .pipelines import make_preprocessing
from .registry import get_classifier

SEARCHES = ("grid", "halving")
#: Order of the models' tasks of equal size: the longest first; a registered
#: classifier, of unknown cost, with the longest.
_COST_RANK = {"rf": 0, "knn": 1, "svm": 2}
#: Fewest training rows per class in a halving round.
MIN_ROWS_PER_CLASS = 20


@dataclass(frozen=True)
class Candidate:
    """One point of the grid: a feature setting, a model and its parameters."""

    index: int
    feature: str
    model: str
    params: Mapping[str, Any] = field(hash=False)

    @cached_property
    def key(self) -> str:
        """Identifies the candidate across runs: a hash of feature, model and parameters."""
        text = json.dumps(
            {"feature": self.feature, "model": self.model, "params": dict(self.params)},
            sort_keys=True,
        )
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    @property
    def prep_key(self) -> tuple[str, str, Any]:
        return (self.feature, self.params.get("scaler", "none"), self.params.get("pca"))

    @property
    def group(self) -> tuple[str, str]:
        return (self.feature, self.model)


@dataclass(frozen=True)
class FeatureData:
    """One feature setting's matrices of the training and validation splits, float32 ``(N, D)``."""

    X_train: np.ndarray
    X_val: np.ndarray


def make_candidates(
    grids: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
) -> list[Candidate]:
    """Candidates of ``{feature: {model: [params, ...]}}``, numbered in that order.

    A candidate listed twice (a grid that repeats a value) is kept once.
    """
    out: list[Candidate] = []
    seen = set()
    for feature, per_model in grids.items():
        for model, params_list in per_model.items():
            for params in params_list:
                candidate = Candidate(len(out), feature, model, dict(params))
                if candidate.key not in seen:
                    seen.add(candidate.key)
                    out.append(candidate)
    return out


def fold_indices(
    y_train: np.ndarray, cv: int | None, seed: int
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Stratified K-fold ``(train rows, val rows)`` of the training split; None: predefined."""
    if cv is None:
        return None
    if cv < 2:
        raise ParameterError("cv", f"{{name}} {cv}: needs at least 2 folds")
    counts = np.bincount(y_train)
    smallest = int(counts[counts > 0].min())
    if cv > smallest:
        raise ParameterError(
            "cv",
            f"{{name}} {cv}: the smallest class of the training split has {smallest} images, "
            "fewer than the number of folds",
        )
    splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y_train)), y_train))


def preprocess(
    data: FeatureData,
    y_train: np.ndarray,
    y_val: np.ndarray,
    params: Mapping[str, Any],
    folds: Sequence[tuple[np.ndarray, np.ndarray]] | None,
    seed: int,
) -> list[Fold]:
    """The folds of ``data`` with the candidate's scaler and PCA fitted on each training part."""
    if folds is None:
        parts = [(data.X_train, y_train, data.X_val, y_val)]
    else:
        parts = [(data.X_train[tr], y_train[tr], data.X_train[va], y_train[va]) for tr, va in folds]
    out = []
    for X_tr, y_tr, X_va, y_va in parts:
        steps = make_preprocessing(params, seed)
        if steps:
            prep = Pipeline(steps)
            X_tr = prep.fit_transform(X_tr).astype(np.float32)
            X_va = prep.transform(X_va).astype(np.float32)
        out.append(Fold(np.ascontiguousarray(X_tr), y_tr, np.ascontiguousarray(X_va), y_va))
    return out


def halving_rounds(n_candidates: int, n_train: int, n_classes: int, factor: int) -> list[int]:
    """Training rows per round: ``[n / factor**(R-1), ..., n / factor, n]``.

    ``R = 1 + floor(log_factor(n_candidates))``, fewer when a round would get
    below :data:`MIN_ROWS_PER_CLASS` rows per class.
    """
    n_rounds = 1 + math.floor(math.log(max(n_candidates, 1), factor) + 1e-9)
    floor_rows = MIN_ROWS_PER_CLASS * n_classes
    while n_rounds > 1 and n_train // factor ** (n_rounds - 1) < floor_rows:
        n_rounds -= 1
    return [n_train // factor ** (n_rounds - 1 - r) for r in range(n_rounds)]


def subsample_rows(y: np.ndarray, n_rows: int, seed: int) -> np.ndarray | None:
    """A stratified, seeded choice of ``n_rows`` rows of ``y`` (sorted); None: all rows."""
    if n_rows >= len(y):
        return None
    rows, _ = train_test_split(np.arange(len(y)), train_size=n_rows, stratify=y, random_state=seed)
    return np.sort(rows)


@dataclass
class _Task:
    candidates: list[Candidate]
    round: int
    n_train: int
    full: bool


def _knn_tasks(candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    groups: dict[tuple, list[Candidate]] = {}
    for c in candidates:
        groups.setdefault((*c.prep_key, float(c.params.get("p", 2))), []).append(c)
    return list(groups.values())


def _record(c: Candidate, task: _Task, score: Score) -> dict[str, Any]:
    return {
        "key": c.key,
        "index": c.index,
        "feature": c.feature,
        "model": c.model,
        "params": dict(c.params),
        "round": task.round,
        "n_train": task.n_train,
        "full": task.full,
        "score": score.score,
        "fold_scores": score.fold_scores,
        "fit_seconds": round(score.fit_seconds, 3),
        "score_seconds": round(score.score_seconds, 3),
    }


def best_record(records: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The best candidate trained on all training rows: highest score, then grid order."""
    full = [r for r in records if r["full"]]
    if not full:
        return None
    return dict(min(full, key=lambda r: (-r["score"], r["index"])))


class Search:
    """A search of ``candidates`` over feature matrices, with resume.

    Parameters
    ----------
    candidates : the grid, from :func:`make_candidates`
    y_train, y_val : int arrays (N,)
        Labels of the training and validation splits (class indices).
    cv : int or None
        Stratified K-fold on the training split; None: the predefined split.
    search : {"grid", "halving"}
    factor : int
        Successive halving's reduction factor.
    seed : int
        Seeds folds, halving subsets, PCA and the random forest.
    """

    def __init__(
        self,
        candidates: Sequence[Candidate],
        y_train: np.ndarray,
        y_val: np.ndarray,
        *,
        cv: int | None = None,
        search: str = "grid",
        factor: int = 3,
        seed: int = 0,
    ):
        if search not in SEARCHES:
            raise ParameterError(
                "search", f"unknown {{name}} {search!r}; valid: {', '.join(SEARCHES)}"
            )
        if factor < 2:
            raise FerClassicError(f"halving factor {factor}: must be at least 2")
        self.candidates = list(candidates)
        self.y_train = np.asarray(y_train)
        self.y_val = np.asarray(y_val)
        self.cv = cv
        self.search = search
        self.factor = factor
        self.seed = seed
        self.n_classes = int(self.y_train.max()) + 1
        self.folds = fold_indices(self.y_train, cv, seed)
        if self.folds is None:
            self.n_train = len(self.y_train)
        else:
            self.n_train = min(len(tr) for tr, _ in self.folds)
        self._prepared: dict[tuple, list[Fold]] = {}

    # -- planning --------------------------------------------------------------------------
    def _groups(self) -> dict[tuple[str, str], list[Candidate]]:
        groups: dict[tuple[str, str], list[Candidate]] = {}
        for c in self.candidates:
            groups.setdefault(c.group, []).append(c)
        return groups

    def rounds(self, group: Sequence[Candidate]) -> list[int]:
        """Training rows of each round of a (feature, model) group."""
        if self.search == "grid" or group[0].model == "knn":
            return [self.n_train]
        return halving_rounds(len(group), self.n_train, self.n_classes, self.factor)

    def n_evaluations(self) -> int:
        """How many candidate evaluations the whole search makes (for a progress bar)."""
        total = 0
        for group in self._groups().values():
            n = len(group)
            for _ in self.rounds(group):
                total += n
                n = math.ceil(n / self.factor)
        return total

    # -- data --------------------------------------------------------------------------------
    def folds_for(self, c: Candidate, features: Mapping[str, FeatureData]) -> list[Fold]:
        """Preprocessed folds of ``c``, computed once per (feature, scaler, pca)."""
        if c.prep_key not in self._prepared:
            self._prepared[c.prep_key] = preprocess(
                features[c.feature], self.y_train, self.y_val, c.params, self.folds, self.seed
            )
        return self._prepared[c.prep_key]

    def _rows(self, folds: Sequence[Fold], n_rows: int, round_: int) -> list[np.ndarray | None]:
        return [
            subsample_rows(fold.y_train, n_rows, self.seed + 1000 * round_ + i)
            for i, fold in enumerate(folds)
        ]

    # -- running -----------------------------------------------------------------------------
    def run(
        self,
        features: Mapping[str, FeatureData],
        done: Iterable[Mapping[str, Any]] = (),
        on_record: Callable[[dict[str, Any]], None] | None = None,
        n_jobs: int | None = 1,
    ) -> list[dict[str, Any]]:
        """Run every candidate not in ``done``; return all records, ``done``'s included.

        ``features`` maps each candidate's feature setting to its matrices.

        ``on_record`` is called in this process with each new record as soon as
        its task finishes; an exception from it stops the search there.
        """
        records = {(r["key"], r["round"]): dict(r) for r in done}
        groups = self._groups()
        alive = {g: list(cands) for g, cands in groups.items()}
        n_levels = max(len(self.rounds(cands)) for cands in groups.values())
        for level in range(n_levels):
            tasks = []
            for g, cands in groups.items():
                rounds = self.rounds(cands)
                if level >= len(rounds):
                    continue
                if level > 0:
                    previous = [records[(c.key, level - 1)] for c in alive[g]]
                    keep = math.ceil(len(previous) / self.factor)
                    ranked = sorted(previous, key=lambda r: (-r["score"], r["index"]))[:keep]
                    kept = {r["key"] for r in ranked}
                    alive[g] = [c for c in alive[g] if c.key in kept]
                todo = [c for c in alive[g] if (c.key, level) not in records]
                full = level == len(rounds) - 1
                units = _knn_tasks(todo) if g[1] == "knn" else [[c] for c in todo]
                tasks += [_Task(unit, level, rounds[level], full) for unit in units]
            # Longest first, so that the last workers do not wait on one long task.
            tasks.sort(key=lambda t: (-t.n_train, _COST_RANK.get(t.candidates[0].model, 0)))
            for record in self._execute(tasks, features, n_jobs):
                records[(record["key"], record["round"])] = record
                if on_record is not None:
                    on_record(record)
        return sorted(records.values(), key=lambda r: (r["round"], r["index"]))

    def _execute(
        self, tasks: Sequence[_Task], features: Mapping[str, FeatureData], n_jobs: int | None
    ) -> Iterable[dict[str, Any]]:
        if not tasks:
            return
        calls = []
        for i, task in enumerate(tasks):
            folds = self.folds_for(task.candidates[0], features)
            rows = self._rows(folds, task.n_train, task.round)
            params = [dict(c.params) for c in task.candidates]
            model = task.candidates[0].model
            # The built-in knn shares neighbour queries (by its name); every other classifier
            # goes to the workers as its registration, which they may not hold themselves.
            classifier = model if model == "knn" else get_classifier(model)
            calls.append(delayed(_run_task)(i, classifier, params, folds, rows, self.seed))
        # Results come back in completion order, each tagged with its task.
        for i, scores in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(calls):
            task = tasks[i]
            for c, score in zip(task.candidates, scores, strict=True):
                yield _record(c, task, score)


def _run_task(i: int, *args) -> tuple[int, list[Score]]:
    return i, score_task(*args)
