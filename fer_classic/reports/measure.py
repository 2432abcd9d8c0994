"""Scoring and timing one model on a test split, the same way for every model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..data import Split
from ..evaluation import classification_metrics
from .latency import Latency, PredictFn, Throughput, measure_latency, predict_timed


@dataclass(frozen=True)
class Scores:
    """Accuracy, macro-F1 and per-class F1 (fractions) and the confusion matrix."""

    accuracy: float
    macro_f1: float
    per_class_f1: dict[str, float]
    confusion: np.ndarray


@dataclass(frozen=True)
class Measurement:
    """What :func:`measure_model` found: predictions, scores, latency, throughput."""

    pred: np.ndarray
    scores: Scores
    latency: Latency
    throughput: Throughput


def _scores(true: np.ndarray, pred: np.ndarray, class_names: Sequence[str]) -> Scores:
    """:func:`~fer_classic.evaluation.classification_metrics` of ``pred`` as :class:`Scores`."""
    metrics = classification_metrics(true, pred, class_names)
    return Scores(
        accuracy=metrics["accuracy"],
        macro_f1=metrics["macro_f1"],
        per_class_f1={name: scores["f1"] for name, scores in metrics["per_class"].items()},
        confusion=np.asarray(metrics["confusion_matrix"]),
    )


def measure_model(
    predict: PredictFn,
    split: Split,
    class_names: Sequence[str],
    *,
    column_labels: Sequence[int] | None = None,
    decide: Callable[[np.ndarray], np.ndarray] | None = None,
    latency_images: int = 200,
    warmup: int = 10,
    batch_size: int = 256,
) -> Measurement:
    """Predict the whole test split in batches (timed: throughput), then time batch 1.

    ``predict`` maps uint8 ``(N, 48, 48)`` images to scores ``(N, n_classes)``
    whose columns are the labels ``column_labels`` (indices into ``class_names``;
    default ``0..n_classes-1``). ``decide``, when given, maps the images to
    column indices by the model's own rule instead of the arg-max of the scores.
    """
    proba, throughput = predict_timed(predict, split.images, batch_size=batch_size)
    if decide is None:
        pred = np.argmax(proba, axis=1).astype(np.int64)
    else:  # the model's own decision rule (untimed), e.g. SVC's one-vs-one votes
        pred = np.asarray(decide(split.images), dtype=np.int64)
    if column_labels is not None:
        pred = np.asarray(column_labels, dtype=np.int64)[pred]
    latency = measure_latency(predict, split.images, n_images=latency_images, warmup=warmup)
    return Measurement(pred, _scores(split.labels, pred, class_names), latency, throughput)
