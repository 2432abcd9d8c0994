"""How sure a comparison is: a confidence interval on every row, a paired test on every pair.

Every measured row gets 95 % intervals of its accuracy and macro-F1 by a seeded
percentile bootstrap over its test images (:func:`fer_classic.uncertainty.bootstrap_intervals`);
models scored on the same images share the same resamples. Every pair of models
scored on the same images gets an exact McNemar test of their paired predictions,
Holm-corrected over all such pairs (:func:`fer_classic.uncertainty.pairwise_significance`).
Models scored on other images are not paired, and the comparison says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..uncertainty import bootstrap_intervals, pairwise_significance, resample_weights
from .results import ModelResult

#: The least bootstrap resamples the report's method asks for; fewer warn.
MIN_RESAMPLES = 1000

#: Coverage of every interval.
LEVEL = 0.95


class Bootstrap:
    """Seeded bootstrap intervals, with one set of resamples per set of test images.

    Parameters
    ----------
    resamples : int
        Resamples per interval.
    seed : int
        Seed of the resamples.
    """

    def __init__(self, resamples: int = MIN_RESAMPLES, seed: int = 0) -> None:
        if resamples < 1:
            raise ValueError(f"resamples must be at least 1, got {resamples}")
        self.resamples = resamples
        self.seed = seed
        self._weights: dict[str, np.ndarray] = {}

    def describe(self) -> dict[str, Any]:
        """The method, as the report's Method section states it."""
        return {
            "intervals": (
                f"{LEVEL:.0%} percentile bootstrap over the test images, {self.resamples:,} "
                f"resamples, seed {self.seed}"
            ),
            "paired": "models scored on the same images share the same resamples",
            "significance": (
                "exact McNemar test on the paired predictions of every two models scored on "
                "the same images, Holm-corrected over all such pairs, alpha 0.05"
            ),
            "resamples": self.resamples,
            "seed": self.seed,
            "level": LEVEL,
        }

    def intervals(
        self, images_key: str, y_true: np.ndarray, y_pred: np.ndarray, n_classes: int
    ) -> dict[str, list[float]]:
        """``accuracy`` and ``macro_f1`` intervals, as ``[low, high]`` fractions.

        ``images_key`` names the set of test images (its fingerprint): the first
        call with a key draws its resamples, later calls reuse them.
        """
        if images_key not in self._weights:
            self._weights[images_key] = resample_weights(len(y_true), self.resamples, self.seed)
        found = bootstrap_intervals(
            y_true, y_pred, n_classes, weights=self._weights[images_key], level=LEVEL
        )
        return {"accuracy": list(found["accuracy"]), "macro_f1": list(found["macro_f1"])}

    def attach(
        self,
        model: ModelResult,
        images_key: str,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        n_classes: int,
    ) -> None:
        """Set ``model``'s ``accuracy_ci`` and ``macro_f1_ci``."""
        found = self.intervals(images_key, y_true, y_pred, n_classes)
        model.accuracy_ci, model.macro_f1_ci = found["accuracy"], found["macro_f1"]


def paired_significance(
    models: Sequence[ModelResult],
    images_keys: Sequence[str],
    truths: dict[str, np.ndarray],
    predictions: Sequence[np.ndarray],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The pairwise tests of the models scored on each set of test images.

    Parameters
    ----------
    models : sequence of ModelResult
        Measured rows, with unique names.
    images_keys : sequence of str
        The set of test images (fingerprint) each model was scored on.
    truths : dict of str to ndarray
        True labels of each set of test images.
    predictions : sequence of ndarray of int
        Each model's predictions, in its set's order.

    Returns
    -------
    groups : list of dict
        One per set scored by two or more models: ``test_split``,
        ``test_fingerprint``, and :func:`~fer_classic.uncertainty.pairwise_significance`'s
        dict.
    not_compared : list of str
        Why models of different sets were not tested against each other; empty
        when every model was scored on the same images.
    """
    by_key: dict[str, list[int]] = {}
    for i, key in enumerate(images_keys):
        by_key.setdefault(key, []).append(i)
    groups = []
    for key, rows in by_key.items():
        if len(rows) < 2:
            continue
        correct = {models[i].name: predictions[i] == truths[key] for i in rows}
        groups.append(
            {
                "test_split": models[rows[0]].test_split,
                "test_fingerprint": key,
                **pairwise_significance(correct),
            }
        )
    not_compared = []
    if len(by_key) > 1:
        sets = "; ".join(
            f"{models[rows[0]].test_split}: {', '.join(models[i].name for i in rows)}"
            for rows in by_key.values()
        )
        not_compared.append(
            f"models scored on different test images are not tested against each other (a "
            f"paired test needs the same images): {sets}"
        )
    return groups, not_compared
