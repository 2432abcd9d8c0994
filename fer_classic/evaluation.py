"""Scores of any model's class predictions: accuracy, macro-F1, per-class report, confusion matrix.

- :func:`classification_metrics`: the scores of class decisions, the one dict every
  model's scores are written as (``metrics.json``, ``fer-classic evaluate --out``);
- :func:`score_predictions`: the same from class probabilities;
- :func:`evaluate_model`: a loaded model (classical, CNN, TFLite) scored on part
  of a data set, and :func:`load_run_dataset`, the data set a run was trained on;
- :func:`format_scores`: the scores as text, as ``fer-classic evaluate`` and
  ``fer-classic grid-search`` print them; :func:`save_confusion_png`: the
  confusion matrix as a picture.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from tabulate import tabulate

from .data import CLASS_NAMES, FERDataset, load_run_data
from .errors import DataError, RunError
from .files import atomic_path, read_json
from .runs import MANIFEST

#: Parts of a data set :func:`evaluate_model` can score.
SUBSETS = ("test", "val", "train", "all")


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    Parameters
    ----------
    y_true, y_pred : ndarray of int, shape (N,)
        True and predicted classes, as indices into ``class_names``.
    class_names : sequence of str
        Names of the classes.

    Returns
    -------
    dict
        ``accuracy``, ``macro_f1``, ``per_class`` (name -> ``precision``, ``recall``,
        ``f1``, ``support``, ``present``), ``confusion_matrix`` (rows: true class,
        columns: predicted) and ``class_names``. ``macro_f1`` averages the F1 of the
        classes present in ``y_true``: a test set without a class (CK+ has no
        neutral faces) is not charged a zero for it; such a class has ``present``
        False, and its F1 is 0 where the model predicted it.
    """
    labels = np.arange(len(class_names))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    present = support > 0
    return {
        "accuracy": float(np.mean(y_true == y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels[present], average="macro", zero_division=0)
        ),
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
                "present": bool(present[i]),
            }
            for i, name in enumerate(class_names)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "class_names": list(class_names),
    }


def score_predictions(
    y_true: np.ndarray, proba: np.ndarray, class_names: Sequence[str] = CLASS_NAMES
) -> dict[str, Any]:
    """The scores of class probabilities, whose arg-max is the prediction.

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
        :func:`classification_metrics`' dict and ``n``, the number of images.
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


def format_scores(scores: Mapping[str, Any], title: str = "") -> str:
    """The scores as text: a headline, the per-class table and the confusion matrix.

    Parameters
    ----------
    scores : mapping
        :func:`classification_metrics`' dict, or one that holds it (a run's
        ``metrics.json``, :func:`evaluate_model`'s result).
    title : str
        A first line, such as what was scored on what.

    Returns
    -------
    str
        Several lines, without a final newline.
    """
    names = list(scores["per_class"])
    n_images = sum(c["support"] for c in scores["per_class"].values())
    absent = [name for name, c in scores["per_class"].items() if not c["support"]]
    lines = [title] if title else []
    over = f"; macro-F1 over the {len(names) - len(absent)} classes present" if absent else ""
    lines.append(
        f"accuracy {scores['accuracy']:.4f}   macro-F1 {scores['macro_f1']:.4f}   "
        f"({n_images} images{over})"
    )
    rows = [
        [
            name if c["support"] else f"{name} (absent)",
            c["precision"],
            c["recall"],
            c["f1"],
            c["support"],
        ]
        for name, c in scores["per_class"].items()
    ]
    lines.append(
        tabulate(rows, headers=["class", "precision", "recall", "f1", "support"], floatfmt=".3f")
    )
    matrix = [[name, *row] for name, row in zip(names, scores["confusion_matrix"], strict=True)]
    lines.append("confusion matrix (rows: true class, columns: predicted)")
    lines.append(tabulate(matrix, headers=["", *(n[:7] for n in names)]))
    return "\n".join(lines)


def save_confusion_png(
    metrics: Mapping[str, Any], path: str | os.PathLike[str], title: str = ""
) -> None:
    """Plot the confusion matrix to a PNG: colours by share of the true class, counts written.

    ``metrics`` is :func:`classification_metrics`' dict; the default title gives
    its accuracy and macro-F1.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = metrics["class_names"]
    counts = np.asarray(metrics["confusion_matrix"])
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            colour = "white" if shares[i, j] > 0.5 else "black"
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", color=colour, fontsize=8)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or f"accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}")
    fig.colorbar(image, ax=ax, label="share of the true class")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)


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
        differs from the run's (another fingerprint).
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
