"""Extractors by name, and combinations of them such as ``"hog+lbp+landmarks"``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.pipeline import FeatureUnion

from ..plugins import check_new_name, register_entry_points
from ._base import ImageFeatures
from .bovw import BovwFeatures
from .cache import learns_from_data
from .faceembed import FaceEmbedFeatures
from .gabor import GaborFeatures
from .histogram import HistogramFeatures
from .hog import HogFeatures
from .landmarks import LandmarkFeatures
from .lbp import LbpFeatures
from .pixels import PixelFeatures

#: Name -> transformer class of the extractors: the eight built in, then those
#: registered (:func:`register_extractor`, or the ``fer_classic.features`` entry points).
FEATURES: dict[str, type[TransformerMixin]] = {
    "pixels": PixelFeatures,
    "hist": HistogramFeatures,
    "hog": HogFeatures,
    "lbp": LbpFeatures,
    "gabor": GaborFeatures,
    "landmarks": LandmarkFeatures,
    "bovw": BovwFeatures,
    "faceembed": FaceEmbedFeatures,
}

#: The entry-point group through which installed packages register extractors:
#: ``name = "package.module:TransformerClass"``.
ENTRY_POINT_GROUP = "fer_classic.features"


def register_extractor(name: str, transformer: type) -> type:
    """Make a feature extractor usable by name in ``grid-search``, grid files and reports.

    Parameters
    ----------
    name : str
        What ``--features`` and grid files call it (letters, digits, ``_`` and
        ``-``), alone or combined (``hog+name``).
    transformer : class
        A scikit-learn transformer whose instances map uint8 ``(N, 48, 48)``
        images to float ``(N, D)`` features; its parameters (``get_params``) key
        the feature cache, and a model file that holds it is trusted when loaded
        by a process that registered it.

    Returns
    -------
    The transformer class.

    Raises
    ------
    ValueError
        The name is taken or malformed, or the class is not a scikit-learn
        transformer.
    """
    check_new_name(name, FEATURES, "extractor")
    if not (
        isinstance(transformer, type)
        and issubclass(transformer, BaseEstimator)
        and hasattr(transformer, "transform")
    ):
        raise ValueError(f"{transformer!r} is not a scikit-learn transformer class")
    FEATURES[name] = transformer
    return transformer


def _register_entry_points() -> None:
    """Register the extractors that installed packages declare, warning about broken ones."""
    register_entry_points(ENTRY_POINT_GROUP, register_extractor)


def parse_feature_spec(spec: str) -> list[str]:
    """The extractor names in ``spec`` (``"hog+lbp"`` -> ``["hog", "lbp"]``), checked."""
    names = [name.strip() for name in str(spec).split("+")]
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(
            f"unknown feature extractor {', '.join(map(repr, unknown))} in {spec!r}; "
            f"valid names: {', '.join(FEATURES)} (combine with '+')"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"feature spec {spec!r} names an extractor twice")
    return names


def make_features(
    spec: str,
    params: Mapping[str, Mapping] | None = None,
    n_jobs: int | None = None,
) -> ImageFeatures | FeatureUnion:
    """The transformer for ``spec``: one extractor, or the concatenation of several.

    Parameters
    ----------
    spec : str
        A name from :data:`FEATURES`, or names joined by '+', e.g.
        ``"hog+lbp+landmarks"``; features are concatenated in that order.
    params : mapping of name -> mapping, optional
        Parameters per extractor, e.g. ``{"hog": {"orientations": 12}}``.
    n_jobs : int or None
        Set on every extractor that has the parameter (workers within each).

    Returns
    -------
    The extractor itself for a single name; otherwise a
    ``sklearn.pipeline.FeatureUnion`` of ``(name, extractor)`` pairs, whose
    parameters a grid search reaches as ``<step>__<name>__<param>``.
    """
    names = parse_feature_spec(spec)
    params = dict(params or {})
    stray = sorted(set(params) - set(names))
    if stray:
        raise ValueError(f"params given for {stray}, which {spec!r} does not name")
    extractors = []
    for name in names:
        extractor = FEATURES[name](**params.get(name, {}))
        if n_jobs is not None and "n_jobs" in extractor.get_params():
            extractor.set_params(n_jobs=n_jobs)
        extractors.append((name, extractor))
    if len(extractors) == 1:
        return extractors[0][1]
    return FeatureUnion(extractors)


def feature_dimension(transformer: BaseEstimator, image_shape: tuple[int, int] = (48, 48)) -> int:
    """The number of features ``transformer`` gives for images of ``image_shape``.

    Checks its parameters without learning anything: a stateless extractor is
    fitted on one blank image; one that learns from data
    (:func:`~fer_classic.features.cache.learns_from_data`, such as ``bovw``)
    reports the size its parameters give, which one image could not fit; a
    ``FeatureUnion`` sums its extractors'.

    Raises
    ------
    ValueError
        Invalid parameters for such images.
    """
    if isinstance(transformer, FeatureUnion):
        return sum(
            feature_dimension(part, image_shape)
            for _, part in transformer.transformer_list
            if part not in ("drop", None)
        )
    if learns_from_data(transformer) and hasattr(transformer, "_n_features"):
        return int(transformer._n_features(tuple(image_shape)))
    sample = np.zeros((1, *image_shape), dtype=np.uint8)
    fitted = clone(transformer).fit(sample)
    try:
        return len(fitted.get_feature_names_out())
    except AttributeError:  # an extractor of the user's without feature names
        return int(np.asarray(fitted.transform(sample)).shape[1])


_register_entry_points()
