"""How sure the scores are: bootstrap intervals and paired tests between models.

- :func:`bootstrap_intervals`: percentile bootstrap intervals over test images of
  accuracy and macro-F1, with the point estimates; :func:`resample_weights` draws
  the resamples once so that several models scored on the same images share them
  (a paired bootstrap);
- :func:`mcnemar_exact`: the exact McNemar test of two models' correctness on the
  same images; :func:`holm`: Holm-Bonferroni adjusted p-values;
- :func:`pairwise_significance`: every pair of models tested, Holm-corrected over
  all pairs, as a JSON-ready dict; :func:`significance_matrix`: its adjusted
  p-values as a table;
- :func:`not_significantly_below`: the models off a Pareto front whose accuracy is
  not significantly below that of a model on it.

Every model of a comparison is scored on the same test images, so the tests are
paired: McNemar's test looks only at the images on which the two models disagree
and so does not pay for the variation between images that both get right or both
get wrong, which an unpaired test of two accuracies would count twice. For the same
reason the bootstrap intervals of models on the same images should be drawn from
one set of resamples.

Ten models make 45 pairs; at a level of 0.05 each, about two pairs would come out
"significant" by chance alone. Holm's step-down procedure keeps the chance of any
false claim among all pairs at most ``alpha`` (like Bonferroni) whatever the
dependence between the tests, and rejects at least as much as Bonferroni does.

Macro-F1 here is the mean, over the classes present in the test set's true labels,
of the per-class F1 (a class never predicted has F1 0), the definition of
:func:`fer_classic.evaluation.classification_metrics`; in a resample that neither
holds nor predicts one of those classes, that class is left out of the mean.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import binomtest

BOOTSTRAP_METHOD = "percentile bootstrap over test images"


def resample_weights(n: int, n_resamples: int = 1000, seed: int = 0) -> np.ndarray:
    """How many times each test image is drawn in each bootstrap resample.

    Each resample draws ``n`` images uniformly with replacement from the ``n``
    test images (``numpy.random.default_rng(seed).integers``), so the same
    arguments give the same counts on every machine.

    Parameters
    ----------
    n : int
        Number of test images, at least 1.
    n_resamples : int
        Number of resamples, at least 1.
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    ndarray of int32, shape (n_resamples, n)
        Counts; each row sums to ``n``.
    """
    if n < 1:
        raise ValueError(f"no images to resample (n={n})")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(n_resamples, n))
    draws += np.arange(n_resamples)[:, None] * n  # one bin range per resample
    counts = np.bincount(draws.ravel(), minlength=n_resamples * n)
    return counts.reshape(n_resamples, n).astype(np.int32)


def _check_labels(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> None:
    """Raise ValueError unless both are 1-D integer arrays of one length with classes in range."""
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have one shape (N,); got {y_true.shape} and {y_pred.shape}"
        )
    if len(y_true) == 0:
        raise ValueError("no images to score")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{name} must hold integer class indices, got dtype {y.dtype}")
        if y.min() < 0 or y.max() >= n_classes:
            raise ValueError(f"{name} holds classes outside 0..{n_classes - 1}")


def _scores(counts: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy and macro-F1 of confusion counts.

    Parameters
    ----------
    counts : ndarray of float, shape (R, n_classes, n_classes)
        Confusion counts of R resamples (rows: true class, columns: predicted).
    present : ndarray of bool, shape (n_classes,)
        The classes macro-F1 averages over.

    Returns
    -------
    accuracy, macro_f1 : ndarray of float, shape (R,)
    """
    tp = np.diagonal(counts, axis1=1, axis2=2)
    n_true = counts.sum(axis=2)
    n_pred = counts.sum(axis=1)
    total = n_true.sum(axis=1)
    accuracy = tp.sum(axis=1) / total
    # F1 = 2 TP / (true + predicted); undefined (0 / 0) where a resample neither
    # holds nor predicts the class, which is then left out of that resample's mean
    denominator = (n_true + n_pred)[:, present]
    defined = denominator > 0
    f1 = np.divide(2 * tp[:, present], denominator, out=np.zeros_like(denominator), where=defined)
    return accuracy, f1.sum(axis=1) / defined.sum(axis=1)


def bootstrap_intervals(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    n_classes: int,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    weights: np.ndarray | None = None,
) -> dict[str, Any]:
    """Percentile bootstrap intervals over test images of accuracy and macro-F1.

    Each resample draws N of the N test images with replacement and scores the
    predictions on them; an interval runs between the ``(1 - level) / 2`` and
    ``(1 + level) / 2`` quantiles (:func:`numpy.quantile`, linear) of the
    resamples' scores. Macro-F1 averages the per-class F1 over the classes present
    in ``y_true`` (all N images), in every resample; a class never predicted has
    F1 0. A resample can miss a rare class: if it does not predict that class
    either, its F1 there is 0 / 0 and it is left out of that resample's mean (as
    :func:`sklearn.metrics.f1_score` does with ``labels`` the classes of
    ``y_true`` and ``zero_division=np.nan``), so that a model right on every image
    scores 1 in every resample. On all N images no class is left out, so the
    point estimate is :func:`fer_classic.evaluation.classification_metrics`'
    macro-F1.

    Parameters
    ----------
    y_true, y_pred : ndarray of int, shape (N,)
        True and predicted classes, in ``0 .. n_classes - 1``; N >= 1.
    n_classes : int
        Number of classes.
    n_resamples : int
        Number of resamples drawn when ``weights`` is None.
    seed : int
        Seed of the resamples drawn when ``weights`` is None
        (:func:`resample_weights`).
    level : float
        Coverage of the intervals, in (0, 1).
    weights : ndarray of int, shape (n_resamples, N), optional
        Resamples to use, from :func:`resample_weights`; give the same to every
        model scored on the same images so that their intervals come from the same
        resamples. ``n_resamples`` and ``seed`` are then not used.

    Returns
    -------
    dict
        ``accuracy`` and ``macro_f1``: (low, high) tuples of float;
        ``accuracy_point`` and ``macro_f1_point``: the scores on all N images;
        ``method``, ``n_resamples``, ``level``, and ``seed`` (None when the
        resamples came as ``weights``: the caller knows how it drew them).

    Raises
    ------
    ValueError
        No images, labels of another shape or outside the classes, a level outside
        (0, 1), or ``weights`` of another shape than (n_resamples, N).
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    _check_labels(y_true, y_pred, n_classes)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    n = len(y_true)
    if weights is None:
        weights = resample_weights(n, n_resamples, seed)
    else:
        weights = np.asarray(weights)
        if weights.ndim != 2 or weights.shape[1] != n or weights.shape[0] < 1:
            raise ValueError(f"weights must have shape (n_resamples, {n}), got {weights.shape}")
        seed = None

    # confusion counts of every resample at once: (R, N) counts x (N, K*K) one-hot
    # of the (true, predicted) pair of each image; exact in float64 (counts < 2**53)
    pair = y_true.astype(np.intp) * n_classes + y_pred
    one_hot = np.zeros((n, n_classes * n_classes))
    one_hot[np.arange(n), pair] = 1.0
    counts = (weights.astype(np.float64) @ one_hot).reshape(-1, n_classes, n_classes)
    present = np.bincount(y_true, minlength=n_classes) > 0
    accuracy, macro_f1 = _scores(counts, present)

    full = np.bincount(pair, minlength=n_classes * n_classes).astype(np.float64)
    point_accuracy, point_f1 = _scores(full.reshape(1, n_classes, n_classes), present)
    quantiles = [(1 - level) / 2, (1 + level) / 2]
    acc_low, acc_high = np.quantile(accuracy, quantiles)
    f1_low, f1_high = np.quantile(macro_f1, quantiles)
    return {
        "accuracy": (float(acc_low), float(acc_high)),
        "macro_f1": (float(f1_low), float(f1_high)),
        "accuracy_point": float(point_accuracy[0]),
        "macro_f1_point": float(point_f1[0]),
        "method": BOOTSTRAP_METHOD,
        "n_resamples": int(weights.shape[0]),
        "seed": seed,
        "level": float(level),
    }


@dataclass(frozen=True)
class McNemarResult:
    """The exact McNemar test of two models on the same images.

    Attributes
    ----------
    b : int
        Images only model A got right.
    c : int
        Images only model B got right.
    p_value : float
        Two-sided exact p-value; 1.0 when the models never disagree.
    """

    b: int
    c: int
    p_value: float


def mcnemar_exact(correct_a: np.ndarray, correct_b: np.ndarray) -> McNemarResult:
    """Exact two-sided McNemar test: do two models' accuracies on the same images differ?

    Under the hypothesis of equal accuracy, each of the ``b + c`` images on which
    exactly one model is right is equally likely to be one of A's or one of B's,
    so the test is the two-sided binomial test of ``b`` successes in ``b + c``
    trials with p = 0.5 (:func:`scipy.stats.binomtest`).

    Parameters
    ----------
    correct_a, correct_b : ndarray of bool, shape (N,)
        Whether model A, model B got each image right, in the same image order.

    Returns
    -------
    McNemarResult

    Raises
    ------
    ValueError
        The inputs are not boolean arrays of one shape (N,).
    """
    correct_a = np.asarray(correct_a)
    correct_b = np.asarray(correct_b)
    if correct_a.ndim != 1 or correct_a.shape != correct_b.shape:
        raise ValueError(
            f"correct_a and correct_b must have one shape (N,); "
            f"got {correct_a.shape} and {correct_b.shape}"
        )
    if correct_a.dtype != np.bool_ or correct_b.dtype != np.bool_:
        raise ValueError(
            f"correct_a and correct_b must be boolean; got {correct_a.dtype} and {correct_b.dtype}"
        )
    b = int(np.count_nonzero(correct_a & ~correct_b))
    c = int(np.count_nonzero(~correct_a & correct_b))
    if b + c == 0:
        return McNemarResult(b=0, c=0, p_value=1.0)
    p_value = binomtest(b, b + c, 0.5, alternative="two-sided").pvalue
    return McNemarResult(b=b, c=c, p_value=float(p_value))


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm-Bonferroni step-down adjusted p-values, in the input order.

    With the m p-values sorted ascending, the j-th (0-based) is multiplied by
    ``m - j``, capped at 1, and made non-decreasing along the sorted order (each
    adjusted value is the largest so far). Rejecting where the adjusted value is
    below ``alpha`` is Holm's procedure at family-wise error rate ``alpha``.
    Written here because numpy, scipy and scikit-learn offer no Holm correction.

    Parameters
    ----------
    p_values : sequence of float, length m
        p-values in [0, 1].

    Returns
    -------
    ndarray of float64, shape (m,)
        Adjusted p-values, each at least its input.

    Raises
    ------
    ValueError
        Not one-dimensional, or a value outside [0, 1] (NaN included).
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"p_values must be one-dimensional, got shape {p.shape}")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("p_values must lie in [0, 1]")
    m = len(p)
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


def pairwise_significance(
    correct: Mapping[str, np.ndarray], *, alpha: float = 0.05
) -> dict[str, Any]:
    """Exact McNemar tests of every pair of models, Holm-corrected over all pairs.

    Parameters
    ----------
    correct : mapping of str to ndarray of bool, shape (N,)
        Model name -> whether it got each test image right; every model scored on
        the same N images in the same order (not checkable here: the caller's
        guarantee).
    alpha : float
        Family-wise error rate; a pair is significant where its Holm-adjusted
        p-value is below it.

    Returns
    -------
    dict
        JSON-ready: ``names`` (in the mapping's order); ``pairs``, one dict per
        unordered pair in :func:`itertools.combinations` order of ``names``, with
        ``a``, ``b`` (names), ``b_only_a`` (images only ``a`` got right),
        ``c_only_b`` (only ``b``), ``p_value``, ``p_holm`` and ``significant``;
        ``alpha``; ``n_images``; ``method``.

    Raises
    ------
    ValueError
        An array not boolean or not of the others' shape (N,), or ``alpha``
        outside (0, 1).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    names = list(correct)
    arrays = {name: np.asarray(correct[name]) for name in names}
    shapes = {a.shape for a in arrays.values()}
    if len(shapes) > 1:
        raise ValueError(f"every model must be scored on the same images; shapes {shapes}")
    tests = [
        (a, b, mcnemar_exact(arrays[a], arrays[b])) for a, b in itertools.combinations(names, 2)
    ]
    adjusted = holm([t.p_value for _, _, t in tests])
    pairs = [
        {
            "a": a,
            "b": b,
            "b_only_a": t.b,
            "c_only_b": t.c,
            "p_value": t.p_value,
            "p_holm": float(p_holm),
            "significant": bool(p_holm < alpha),
        }
        for (a, b, t), p_holm in zip(tests, adjusted, strict=True)
    ]
    return {
        "names": names,
        "pairs": pairs,
        "alpha": float(alpha),
        "n_images": int(next(iter(shapes))[0]) if shapes else 0,
        "method": (
            f"exact McNemar test on paired predictions, Holm-corrected over {len(pairs)} pairs"
        ),
    }


def _holm_lookup(significance: Mapping[str, Any]) -> dict[frozenset[str], float]:
    """Holm-adjusted p-value of each unordered pair of :func:`pairwise_significance`'s dict."""
    return {frozenset((p["a"], p["b"])): p["p_holm"] for p in significance["pairs"]}


def significance_matrix(significance: Mapping[str, Any]) -> list[list[float | None]]:
    """The Holm-adjusted p-values as a square table, for printing.

    Parameters
    ----------
    significance : mapping
        :func:`pairwise_significance`'s dict.

    Returns
    -------
    list of list of float or None, shape (M, M)
        Row and column ``i`` are ``significance["names"][i]``; symmetric; None on
        the diagonal.
    """
    names = significance["names"]
    lookup = _holm_lookup(significance)
    return [[None if a == b else lookup[frozenset((a, b))] for b in names] for a in names]


def not_significantly_below(
    accuracies: Mapping[str, float], significance: Mapping[str, Any], front: Sequence[str]
) -> set[str]:
    """The models off a Pareto front that are statistically level with a model on it.

    A model ``m`` of ``accuracies`` that is not in ``front`` is in the result when
    there is at least one model ``f`` in ``front`` such that ``m``'s accuracy is
    not significantly below ``f``'s: either ``accuracies[m] >= accuracies[f]``, or
    the Holm-adjusted McNemar p-value of the pair (``m``, ``f``) is at least
    ``significance["alpha"]``. Those are the models a plot should not present as
    clearly beaten on accuracy.

    Parameters
    ----------
    accuracies : mapping of str to float
        Model name -> accuracy on the test images of ``significance``; every model
        considered, on the front or not.
    significance : mapping
        :func:`pairwise_significance`'s dict over these models (at least those of
        ``accuracies``).
    front : sequence of str
        Names of the models on the Pareto front, all in ``accuracies``.

    Returns
    -------
    set of str
        Names of models not in ``front``; empty when ``front`` is.

    Raises
    ------
    ValueError
        A front model not in ``accuracies``, or a pair of models that
        ``significance`` does not hold.
    """
    missing = [f for f in front if f not in accuracies]
    if missing:
        raise ValueError(f"front models without an accuracy: {', '.join(missing)}")
    alpha = significance["alpha"]
    lookup = _holm_lookup(significance)
    on_front = set(front)
    level = set()
    for m in accuracies:
        if m in on_front:
            continue
        for f in front:
            pair = frozenset((m, f))
            if pair not in lookup:
                raise ValueError(f"no test of {m!r} against {f!r} in the significance results")
            if accuracies[m] >= accuracies[f] or lookup[pair] >= alpha:
                level.add(m)
                break
    return level
