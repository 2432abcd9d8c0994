"""Post-hoc logit adjustment: a trained CNN's classifier corrected for the class prior.

A network trained by cross-entropy on FER-2013 learns its skewed class prior
(``disgust`` is 1.5 % of the training faces) and rarely predicts a rare class.
Logit adjustment (Menon et al., "Long-tail learning via logit adjustment", ICLR
2021) subtracts ``tau * log(prior)`` from the logits, which for ``tau = 1``
turns the prediction into that of a balanced prior. ``tau`` is chosen on the
validation split by macro-F1 (:func:`choose_tau`); the correction is then folded
into the bias of the network's softmax classifier (:func:`fold_into_classifier`),
so that the saved Keras model and its TensorFlow Lite exports carry it, at no
cost in size or time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..evaluation import score_predictions

if TYPE_CHECKING:
    import keras

#: The values of ``tau`` :func:`choose_tau` tries; 0 leaves the network as it is.
TAUS: tuple[float, ...] = tuple(float(t) for t in np.arange(13) * 0.125)


def class_prior(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The training labels' class frequencies with one added count per class.

    Parameters
    ----------
    labels : ndarray of int, shape (N,)
        Class indices in ``[0, n_classes)``.
    n_classes : int
        Number of classes.

    Returns
    -------
    ndarray of float64, shape (n_classes,)
        ``(count + 1) / (N + n_classes)``: positive for every class, summing to 1.
    """
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=n_classes)
    if counts.shape[0] != n_classes:
        raise ValueError(f"labels must lie in [0, {n_classes}), got {counts.shape[0] - 1}")
    return (counts + 1.0) / (counts.sum() + n_classes)


def logit_offsets(prior: np.ndarray, tau: float) -> np.ndarray:
    """``-tau * log(prior)``, the term added to each class's logit, float64 ``(n_classes,)``."""
    if tau < 0:
        raise ValueError(f"tau must not be negative, got {tau}")
    return -tau * np.log(np.asarray(prior, dtype=np.float64))


def adjust_probabilities(proba: np.ndarray, prior: np.ndarray, tau: float) -> np.ndarray:
    """The softmax of ``log(proba) - tau * log(prior)``, row by row.

    Parameters
    ----------
    proba : ndarray of float, shape (N, n_classes)
        Softmax outputs of a network.
    prior : ndarray of float, shape (n_classes,)
        Class prior (:func:`class_prior`).
    tau : float
        Strength of the correction; 0 returns ``proba`` renormalised.

    Returns
    -------
    ndarray of float64, shape (N, n_classes)
        What the network with :func:`fold_into_classifier` applied outputs.
    """
    logits = np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-30, None))
    logits = logits + logit_offsets(prior, tau)
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def choose_tau(
    proba: np.ndarray,
    labels: np.ndarray,
    prior: np.ndarray,
    class_names: Sequence[str],
    taus: Sequence[float] = TAUS,
) -> tuple[float, dict[float, float]]:
    """The ``tau`` with the best macro-F1 on a validation split, and each one's macro-F1.

    Parameters
    ----------
    proba : ndarray of float, shape (N, n_classes)
        The network's softmax outputs on the validation images.
    labels : ndarray of int, shape (N,)
        Their true classes.
    prior : ndarray of float, shape (n_classes,)
        The training split's class prior (:func:`class_prior`).
    class_names : sequence of str
        Names of the classes.
    taus : sequence of float
        The candidates; ties go to the smallest.

    Returns
    -------
    tau : float
        The chosen value.
    macro_f1 : dict
        ``tau`` -> validation macro-F1 (over the classes present), for every candidate.
    """
    if not taus:
        raise ValueError("taus must not be empty")
    table = {
        float(tau): score_predictions(labels, adjust_probabilities(proba, prior, tau), class_names)[
            "macro_f1"
        ]
        for tau in sorted(taus)
    }
    best = max(table.values())
    return next(tau for tau, f1 in table.items() if f1 == best), table


def softmax_classifier(model: keras.Model) -> keras.layers.Dense:
    """The dense softmax layer that computes ``model``'s output.

    The output layer itself, or that of the model nested last in it (a network
    behind a resizing layer).

    Raises
    ------
    ValueError
        The output is not computed by a dense layer with a softmax activation
        (the SqueezeNet's classifier is a convolution, a ReLU, an average and a
        softmax: its logits have no bias to fold an offset into).
    """
    import keras

    layer = model.layers[-1]
    while isinstance(layer, keras.Model):
        layer = layer.layers[-1]
    if not (
        isinstance(layer, keras.layers.Dense)
        and layer.use_bias
        and layer.activation is keras.activations.softmax
    ):
        raise ValueError(
            f"logit adjustment needs a network whose output is a dense softmax layer; "
            f"{model.name} ends in {layer.name} ({type(layer).__name__})"
        )
    return layer


def fold_into_classifier(model: keras.Model, offsets: np.ndarray) -> None:
    """Add ``offsets`` to the bias of ``model``'s softmax classifier, in place.

    Parameters
    ----------
    model : keras.Model
        A network whose output is a dense softmax layer (:func:`softmax_classifier`).
    offsets : ndarray of float, shape (n_classes,)
        Added to the logits (:func:`logit_offsets`).
    """
    import keras

    layer = softmax_classifier(model)
    bias = np.asarray(keras.ops.convert_to_numpy(layer.bias), dtype=np.float64)
    if bias.shape != np.shape(offsets):
        raise ValueError(f"offsets must have shape {bias.shape}, got {np.shape(offsets)}")
    layer.bias.assign((bias + offsets).astype(layer.bias.dtype))
