"""Pipelines per model: features -> scaling -> optional PCA -> classifier.

A candidate's parameters are one flat dict: the preprocessing shared by every
model (``scaler``, ``pca``) and the classifier's own (its registration's
``params``, :mod:`fer_classic.classical.registry`). ``None`` means "off"
(``pca=None``: no PCA; ``class_weight=None``: unweighted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .registry import RegisteredClassifier, get_classifier

SCALERS = ("none", "standard")
PREPROCESSING_PARAMS = ("scaler", "pca")


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


def make_classifier(
    model: str | RegisteredClassifier, params: Mapping[str, Any], seed: int = 0
) -> BaseEstimator:
    """The unfitted classifier ``model`` names, with a candidate's own parameters.

    ``model`` is a registered name or its registration; ``seed`` is the
    ``random_state`` of a classifier that takes one.
    """
    classifier = model if isinstance(model, RegisteredClassifier) else get_classifier(model)
    return classifier.make(params, seed)


def make_model_pipeline(
    model: str | RegisteredClassifier, params: Mapping[str, Any], seed: int = 0
) -> Pipeline:
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
