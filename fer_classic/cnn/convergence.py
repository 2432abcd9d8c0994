"""Seed 002's learning-curve metrics: mean convergence and overfitting rates.

Smelyakov et al. (2022, ``../shared/seeds/002``) compare networks by how fast a
metric improves per epoch (the mean convergence rate, MCR, their formula 1) and
how fast the gap between training and validation grows per epoch (the mean
overfitting rate, MOFR, formula 2), on accuracy and on loss, over windows of five
epochs, beside the accuracy and loss after the first epoch. These functions take
the per-epoch figures of a run's ``history.csv``.

A rate is the mean of the epoch-to-epoch changes ``m[i] - m[i - 1]`` over the
epochs of a window. No figure exists before the first epoch, so the first window
averages the changes from epoch 1 to its last epoch; a window of one epoch has
no change and no rate (NaN).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

#: Epochs per window of seed 002's tables (epochs 1-5, 6-10, ...).
WINDOW = 5

#: The ``history.csv`` columns of the training and validation figures, by metric.
METRIC_COLUMNS = {"accuracy": ("accuracy", "val_accuracy"), "loss": ("loss", "val_loss")}
_COLUMNS = [column for pair in METRIC_COLUMNS.values() for column in pair]


def convergence_rate(values: ArrayLike, start: int = 1, stop: int | None = None) -> float:
    """Mean change of a metric per epoch over epochs ``start`` to ``stop`` (MCR).

    Parameters
    ----------
    values : array_like of float, shape (n_epochs,)
        The metric after each epoch, epoch 1 first.
    start, stop : int
        First and last epoch of the window, counted from 1, both included;
        ``stop`` defaults to the last epoch.

    Returns
    -------
    float
        The mean of ``values[i] - values[i - 1]`` for the epochs ``i`` of the
        window that have a previous epoch, in the metric's units per epoch
        (positive: accuracy rising; negative: loss falling); NaN where the window
        holds no such epoch.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {values.shape}")
    stop = len(values) if stop is None else min(stop, len(values))
    if start < 1:
        raise ValueError(f"start must be at least 1, got {start}")
    changes = np.diff(values)[max(start - 1, 1) - 1 : stop - 1]
    return float(np.mean(changes)) if changes.size else float("nan")


def overfitting_rate(
    train: ArrayLike, val: ArrayLike, start: int = 1, stop: int | None = None
) -> float:
    """Mean change per epoch of the training minus validation gap (MOFR).

    Parameters
    ----------
    train, val : array_like of float, shape (n_epochs,)
        The metric on the training and on the validation split after each epoch.
    start, stop : int
        The window, as in :func:`convergence_rate`.

    Returns
    -------
    float
        :func:`convergence_rate` of ``train - val``: for accuracy, positive when
        training accuracy pulls away from validation accuracy; for loss, negative
        when training loss falls below validation loss faster.
    """
    train, val = np.asarray(train, dtype=float), np.asarray(val, dtype=float)
    if train.shape != val.shape:
        raise ValueError(f"train and val differ in shape: {train.shape} and {val.shape}")
    return convergence_rate(train - val, start, stop)


def learning_metrics(history: Sequence[Mapping[str, Any]], window: int = WINDOW) -> dict[str, Any]:
    """Seed 002's metrics of a training run, from its ``history.csv`` rows.

    Parameters
    ----------
    history : sequence of mappings
        One row per epoch, epoch 1 first, with the columns of
        :data:`METRIC_COLUMNS` (``accuracy``, ``val_accuracy``, ``loss``,
        ``val_loss``).
    window : int
        Epochs per window.

    Returns
    -------
    dict
        ``initial``: the four figures after epoch 1; ``mcr`` and ``mofr``: per
        metric (``accuracy``, ``loss``), the rate over all epochs (``all``) and
        per window (``windows``: ``{"epochs": [first, last], "rate": ...}``),
        computed on the training figures for MCR (seed 002's definition) and on
        training minus validation for MOFR. NaN rates are written as None.
        Empty for an empty history.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if not history:
        return {}
    n = len(history)
    bounds = [(first, min(first + window - 1, n)) for first in range(1, n + 1, window)]
    result: dict[str, Any] = {
        "initial": {column: float(history[0][column]) for column in _COLUMNS},
        "window": window,
        "mcr": {},
        "mofr": {},
    }
    for metric, (train_column, val_column) in METRIC_COLUMNS.items():
        train = np.array([float(row[train_column]) for row in history])
        val = np.array([float(row[val_column]) for row in history])
        result["mcr"][metric] = _rates(train, bounds)
        result["mofr"][metric] = _rates(train - val, bounds)  # overfitting_rate(train, val)
    return result


def _rates(values: np.ndarray, bounds: list[tuple[int, int]]) -> dict[str, Any]:
    """:func:`convergence_rate` of ``values`` over all epochs and per window."""
    return {
        "all": _finite(convergence_rate(values)),
        "windows": [
            {"epochs": [a, b], "rate": _finite(convergence_rate(values, a, b))} for a, b in bounds
        ],
    }


def _finite(value: float) -> float | None:
    return None if np.isnan(value) else round(value, 6)
