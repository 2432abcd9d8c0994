"""Pipelines per model: features -> scaling -> optional PCA -> classifier.

A candidate's parameters are one flat dict: the preprocessing shared by every
model (``scaler``, ``pca``) and the classifier's own (:data:`MODEL_PARAMS`).
``None`` means "off" (``pca=None``: no PCA; ``class_weight=None``: unweighted).

=======  ==================================================  ==========================
model    classifier                                          parameters
=======  ==================================================  ==========================
``knn``  :class:`~fer_classic.classical.neighbors.KNNClassifier`  n_neighbors, weights, p
``svm``  ``LinearSVC`` (kernel "linear") or ``SVC`` (rbf)     kernel, C, gamma, class_weight
``rf``   ``RandomForestClassifier``                          n_estimators, max_depth,
                                                             max_features, min_samples_leaf,
                                                             class_weight
=======  ==================================================  ==========================

The linear SVM is ``LinearSVC`` (liblinear), not ``SVC(kernel="linear")``: the
same model, fitted in seconds rather than tens of minutes on 28,709 images.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from .neighbors import KNNClassifier

MODELS = ("knn", "svm", "rf")
SCALERS = ("none", "standard")
PREPROCESSING_PARAMS = ("scaler", "pca")
MODEL_PARAMS: dict[str, tuple[str, ...]] = {
    "knn": ("n_neighbors", "weights", "p"),
    "svm": ("kernel", "C", "gamma", "class_weight"),
    "rf": ("n_estimators", "max_depth", "max_features", "min_samples_leaf", "class_weight"),
}
SVM_KERNELS = ("linear", "rbf")


def model_params(model: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The classifier's own parameters of a candidate (without ``scaler``, ``pca``)."""
    return {k: v for k, v in params.items() if k in MODEL_PARAMS[model]}


def make_preprocessing(params: Mapping[str, Any], seed: int = 0) -> list[tuple[str, BaseEstimator]]:
    """The ``(name, transformer)`` steps for a candidate's ``scaler`` and ``pca``."""
    steps: list[tuple[str, BaseEstimator]] = []
    scaler = params.get("scaler", "none")
    if scaler == "standard":
        steps.append(("scale", StandardScaler()))
    elif scaler != "none":
        raise ValueError(f"scaler must be one of {list(SCALERS)}; got {scaler!r}")
    if params.get("pca") is not None:
        steps.append(
            ("pca", PCA(n_components=params["pca"], svd_solver="randomized", random_state=seed))
        )
    return steps


def make_classifier(model: str, params: Mapping[str, Any], seed: int = 0) -> BaseEstimator:
    """The unfitted classifier of ``model`` with the candidate's parameters."""
    own = model_params(model, params) if model in MODEL_PARAMS else {}
    if model == "knn":
        return KNNClassifier(**own)
    if model == "svm":
        kernel = own.pop("kernel", "rbf")
        if kernel == "linear":
            own.pop("gamma", None)
            return LinearSVC(**own, random_state=seed, max_iter=5000)
        if kernel == "rbf":
            return SVC(kernel="rbf", **own, cache_size=1000)
        raise ValueError(f"kernel must be one of {list(SVM_KERNELS)}; got {kernel!r}")
    if model == "rf":
        return RandomForestClassifier(**own, random_state=seed)
    raise ValueError(f"model must be one of {list(MODELS)}; got {model!r}")


def make_model_pipeline(model: str, params: Mapping[str, Any], seed: int = 0) -> Pipeline:
    """Scaling, PCA and classifier: the part of a pipeline that works on features."""
    return Pipeline(
        [*make_preprocessing(params, seed), ("clf", make_classifier(model, params, seed))]
    )


def with_features(features: BaseEstimator, model_pipeline: Pipeline) -> Pipeline:
    """``features`` followed by the steps of ``model_pipeline``, which may be fitted.

    The feature extractors are stateless, so a model pipeline fitted on cached
    features and prepended with them predicts on images: ``(N, 48, 48)`` uint8.
    """
    return Pipeline([("features", features), *model_pipeline.steps])
