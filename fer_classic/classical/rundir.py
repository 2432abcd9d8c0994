"""The run directory of a classical grid search (the layout of :mod:`fer_classic.runs`).

Files, in the order they are written::

    runs/<name>/
        config.json           the resolved search: features and their parameters,
                              models, every grid, protocol, seed, data fingerprint
        manifest.json         kind "classical", versions, seed, data, command line
        candidates.jsonl      one line per finished candidate (and halving round):
                              key, index, feature, model, params, round, n_train,
                              full (trained on every training row), score (mean
                              validation accuracy), fold_scores, fit_seconds,
                              score_seconds
        model.skops           the refitted best pipeline, features included:
                              ``persistence.load_pipeline(path).predict(images)``
                              on uint8 ``(N, 48, 48)`` images
        test_predictions.csv  the best model's test predictions
                              (:func:`fer_classic.runs.write_predictions`), with
                              probabilities where the model gives them (KNN,
                              random forest)
        confusion_matrix.png  the best model's test confusion matrix
        metrics.json          written last: accuracy, macro_f1, per_class,
                              confusion_matrix, class_names, best (the chosen
                              candidate's record), refit_on, refit_seconds,
                              n_train, n_test, search_seconds

The run is complete when ``metrics.json`` exists. Rerunning the same
configuration resumes from ``candidates.jsonl``; another configuration is
refused unless ``force``, which starts the directory over.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..files import append_jsonl, read_json, read_jsonl, write_json_atomic
from ..runs import (
    CLASSICAL_MODEL,
    CONFIG,
    LEGACY_CLASSICAL_MODEL,
    MANIFEST,
    METRICS,
    PREDICTIONS,
    check_config,
    write_predictions,
)
from .persistence import save_pipeline

CANDIDATES = "candidates.jsonl"
CONFUSION_PNG = "confusion_matrix.png"
_OWN_FILES = (
    METRICS,
    CONFUSION_PNG,
    PREDICTIONS,
    CLASSICAL_MODEL,
    LEGACY_CLASSICAL_MODEL,
    CANDIDATES,
    MANIFEST,
    CONFIG,
)


class ClassicalRun:
    """Reads and writes one classical run directory."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def open(self, config: Mapping[str, Any], manifest: Mapping[str, Any], force: bool) -> bool:
        """Start the run or resume it; True when resuming the same configuration.

        Raises :class:`fer_classic.errors.RunError` when the directory holds a run
        of another configuration and ``force`` is false.
        """
        if check_config(self.path, config, force):
            return True
        self.path.mkdir(parents=True, exist_ok=True)
        for name in _OWN_FILES:  # --force on another configuration: start over
            (self.path / name).unlink(missing_ok=True)
        write_json_atomic(self.path / CONFIG, config)
        write_json_atomic(self.path / MANIFEST, manifest)
        return False

    @property
    def is_complete(self) -> bool:
        return (self.path / METRICS).exists()

    def records(self) -> list[dict[str, Any]]:
        """The candidates recorded so far (a torn last line is not one)."""
        return read_jsonl(self.path / CANDIDATES)

    def append(self, record: Mapping[str, Any]) -> None:
        """Record one finished candidate, whole or not at all."""
        append_jsonl(self.path / CANDIDATES, record)

    def save_model(self, pipeline: Any) -> Path:
        return save_pipeline(pipeline, self.path / CLASSICAL_MODEL)

    def save_predictions(
        self,
        indices: np.ndarray,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        class_names: Sequence[str],
        proba: np.ndarray | None = None,
    ) -> Path:
        """Write ``test_predictions.csv`` (:func:`fer_classic.runs.write_predictions`).

        ``indices`` are the test images' rows in the source data set
        (``Split.indices``); ``y_true`` and ``y_pred`` class indices into
        ``class_names``; ``proba`` the class probabilities, if the model gives them.
        """
        path = self.path / PREDICTIONS
        write_predictions(path, indices, y_true, proba, class_names, y_pred=y_pred)
        return path

    def save_metrics(self, metrics: Mapping[str, Any]) -> Path:
        path = self.path / METRICS
        write_json_atomic(path, metrics)
        return path

    def metrics(self) -> dict[str, Any]:
        return read_json(self.path / METRICS)

    @property
    def confusion_png(self) -> Path:
        return self.path / CONFUSION_PNG
