"""Scores of a CNN on a data set: accuracy, macro-F1, per-class report, confusion matrix."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tabulate import tabulate

from ..data import CLASS_NAMES, FERDataset, load_run_data
from ..errors import DataError, RunError
from ..files import read_json, write_text_atomic
from ..metrics import classification_metrics
from ..runs import MANIFEST

#: Parts of a data set :func:`evaluate_model` can score.
SUBSETS = ("test", "val", "train", "all")


def score_predictions(
    y_true: np.ndarray, proba: np.ndarray, class_names: Sequence[str] = CLASS_NAMES
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.

    Parameters
    ----------
    y_true : ndarray of int, shape (N,)
        True class indices.
    proba : ndarray of float, shape (N, n_classes)
        Class scores; the prediction is the highest.
    class_names : sequence of str
        Names of the ``n_classes`` classes.

    Returns
    -------
    dict
        ``accuracy``, ``macro_f1``, ``n``, ``per_class`` (name -> precision, recall,
        f1, support) and ``confusion_matrix`` (rows: true class, columns: predicted).
    """
    y_true = np.asarray(y_true)
    proba = np.asarray(proba)
    if proba.ndim != 2 or proba.shape[0] != y_true.shape[0]:
        raise ValueError(
            f"proba must have shape (N, n_classes); got {proba.shape} for N={len(y_true)}"
        )
    if len(y_true) == 0:
        raise ValueError("no images to score")
    scores = classification_metrics(y_true, proba.argmax(axis=1), class_names)
    return {"n": len(y_true), **scores}


def format_scores(scores: dict[str, Any], title: str = "") -> str:
    """The scores as text: a headline, the per-class table and the confusion matrix."""
    names = list(scores["per_class"])
    lines = [title] if title else []
    lines.append(
        f"accuracy {scores['accuracy']:.4f}   macro-F1 {scores['macro_f1']:.4f}   "
        f"({scores['n']} images)"
    )
    rows = [
        [name, c["precision"], c["recall"], c["f1"], c["support"]]
        for name, c in scores["per_class"].items()
    ]
    lines.append(
        tabulate(rows, headers=["class", "precision", "recall", "f1", "support"], floatfmt=".3f")
    )
    matrix = [[name, *row] for name, row in zip(names, scores["confusion_matrix"], strict=True)]
    lines.append("confusion matrix (rows: true class, columns: predicted)")
    lines.append(tabulate(matrix, headers=["", *(n[:7] for n in names)]))
    return "\n".join(lines)


def write_predictions(
    path: str | os.PathLike[str],
    indices: np.ndarray,
    y_true: np.ndarray,
    proba: np.ndarray,
    class_names: Sequence[str] = CLASS_NAMES,
) -> None:
    """Write ``test_predictions.csv``: ``index``, ``true``, ``pred``, ``p_<class>``...

    ``index`` are the images' rows in the source data set, ``true`` and ``pred``
    class indices, ``p_<class>`` the class probabilities.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["index", "true", "pred", *(f"p_{name}" for name in class_names)])
    pred = np.asarray(proba).argmax(axis=1)
    for i, t, p, row in zip(indices, y_true, pred, proba, strict=True):
        writer.writerow([int(i), int(t), int(p), *(f"{v:.6f}" for v in row)])
    write_text_atomic(path, buffer.getvalue())


def select_subset(dataset: FERDataset, subset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images, labels and source rows of one split, or of all three (``"all"``)."""
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {', '.join(SUBSETS)}, got {subset!r}")
    splits = dataset.splits if subset == "all" else (getattr(dataset, subset),)
    images = np.concatenate([s.images for s in splits])
    labels = np.concatenate([s.labels for s in splits])
    indices = np.concatenate([s.indices for s in splits])
    return images, labels, indices


def evaluate_model(model: Any, dataset: FERDataset, subset: str = "test") -> dict[str, Any]:
    """Score a loaded model on part of a data set.

    ``model`` is anything with ``predict_proba(uint8 (N, 48, 48)) -> (N, n_classes)``
    (its arg-max is the prediction, unless the model has its own ``predict``)
    and ``source``: :func:`fer_classic.cnn.load_cnn_model` or
    :func:`fer_classic.inference.load_model`.

    Returns :func:`score_predictions`' dict plus ``subset``, ``model`` (where the
    model came from) and ``data`` (:meth:`FERDataset.describe`).
    """
    images, labels, _ = select_subset(dataset, subset)
    if len(labels) == 0:
        raise DataError(f"{dataset.raw.source}: its {subset} part holds no images")
    if hasattr(model, "predict"):  # the model's own decision rule (SVC: one-vs-one votes)
        pred = np.asarray(model.predict(images))
        scores = {"n": len(labels), **classification_metrics(labels, pred, dataset.class_names)}
    else:
        scores = score_predictions(labels, model.predict_proba(images), dataset.class_names)
    scores.update(subset=subset, model=str(model.source), data=dataset.describe())
    return scores


def load_run_dataset(
    run_dir: str | os.PathLike[str], *, cache_dir: str | os.PathLike[str] | None = None
) -> FERDataset:
    """The data set a run was trained on, from its manifest, checked by fingerprint.

    Raises
    ------
    RunError
        The run has no manifest, its data source is not here, or the data there
        has changed since the run (another fingerprint).
    """
    run_dir = Path(run_dir)
    data = read_json(run_dir / MANIFEST).get("data") or {}
    try:
        dataset = load_run_data(data, cache_dir=cache_dir)
    except DataError as exc:
        raise RunError(f"{run_dir}: {exc}") from None
    source = data.get("source")
    if data.get("fingerprint") and dataset.fingerprint != data["fingerprint"]:
        raise RunError(
            f"{run_dir}: the data at {source or 'synthetic'} differs from the run's "
            f"(fingerprint {dataset.fingerprint[:12]}, run: {data['fingerprint'][:12]})"
        )
    return dataset
