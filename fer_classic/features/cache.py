"""On-disk cache of computed features, keyed by the data and the extractor's parameters.

A grid search over classifier parameters must never recompute features: the
features of a split are computed once, written to ``<cache_dir>/<name>-<key>.npy``
and loaded on every later call (HOG of all of FER-2013, 186 MB, loads in a
fraction of a second). ``<key>`` hashes:

- the data fingerprint (e.g. ``Split.fingerprint`` from :mod:`fer_classic.data`;
  when none is given, a hash of the image bytes),
- the extractor's class and ``get_params(deep=True)``, less ``n_jobs``, which
  does not change the output,
- ``fer_classic.__version__`` and :data:`FEATURE_CACHE_VERSION`.

Files are written to a temporary name and renamed into place, so a reader sees
a whole file or none; a file that is unreadable or of the wrong shape is
recomputed and replaced. A ``FeatureUnion`` (from ``make_features("hog+lbp")``)
caches each of its extractors on its own, so ``hog`` computed for ``"hog"`` is
reused by ``"hog+lbp"``.

Extractors that learn from data
-------------------------------
An extractor whose scikit-learn tag ``requires_fit`` is true (``bovw``, which
learns a vocabulary; the built-in stateless extractors set it false) is fitted
on training images, given as ``fit_images`` with their ``fit_fingerprint``,
and its features of any split are keyed by both fingerprints. The fitted
extractor is cached too, as ``<cache_dir>/<name>-<key>.skops`` keyed by the
training fingerprint and the parameters (:func:`cached_fit`), and written and
read under the rules of model files (:mod:`fer_classic.classical.persistence`:
``skops``, only trusted types rebuilt). So the vocabulary is learnt once per
training set and parameter set: features of another split, or a grid over
classifier parameters, load it instead of learning it again, and the features
themselves are computed once per split.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import FeatureUnion
from sklearn.utils import get_tags

from .. import __version__
from ..data.cache import default_cache_dir
from ..data.dataset import hash_arrays
from ..files import STALE_SECONDS, atomic_path, remove_temporary_files
from ._validation import as_images

#: Bump when an extractor's output changes while its parameters stay the same.
FEATURE_CACHE_VERSION = 1


def _canonical(value):
    """A JSON-able form of a parameter value, equal for equal parameters."""
    if isinstance(value, BaseEstimator):
        return {
            "class": f"{type(value).__module__}.{type(value).__qualname__}",
            "params": {
                name: _canonical(v)
                for name, v in sorted(value.get_params(deep=False).items())
                if name != "n_jobs"
            },
        }
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_canonical(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def learns_from_data(transformer: BaseEstimator) -> bool:
    """Whether ``transformer``'s output depends on data it is fitted on.

    scikit-learn's ``requires_fit`` tag; for a ``FeatureUnion``, whether any of
    its extractors does.
    """
    if isinstance(transformer, FeatureUnion):
        return any(learns_from_data(part) for part in _parts(transformer).values())
    return bool(get_tags(transformer).requires_fit)


def _parts(union: FeatureUnion) -> dict[str, BaseEstimator]:
    return {name: t for name, t in union.transformer_list if t not in ("drop", None)}


def _key(transformer: BaseEstimator, **fields: str) -> str:
    text = json.dumps(
        {
            **fields,
            "extractor": _canonical(transformer),
            "version": __version__,
            "format": FEATURE_CACHE_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def feature_key(
    transformer: BaseEstimator, data_fingerprint: str, fit_fingerprint: str | None = None
) -> str:
    """The cache key of ``transformer``'s features of the data ``data_fingerprint``.

    ``fit_fingerprint``: the data an extractor that learns from data was fitted on.
    """
    if fit_fingerprint is None:
        return _key(transformer, data=data_fingerprint)
    return _key(transformer, data=data_fingerprint, fit=fit_fingerprint)


def _prefix(transformer: BaseEstimator) -> str:
    from .registry import FEATURES

    names = {cls: name for name, cls in FEATURES.items()}
    return names.get(type(transformer), type(transformer).__name__.lower())


def feature_cache_path(
    transformer: BaseEstimator,
    data_fingerprint: str,
    cache_dir,
    fit_fingerprint: str | None = None,
) -> Path:
    """Where ``cached_transform`` keeps these features."""
    key = feature_key(transformer, data_fingerprint, fit_fingerprint)
    return Path(cache_dir) / f"{_prefix(transformer)}-{key}.npy"


def fitted_cache_path(transformer: BaseEstimator, fit_fingerprint: str, cache_dir) -> Path:
    """Where :func:`cached_fit` keeps ``transformer`` fitted on the data ``fit_fingerprint``."""
    key = _key(transformer, fitted_on=fit_fingerprint)
    return Path(cache_dir) / f"{_prefix(transformer)}-{key}.skops"


def _load(path: Path, n_images: int) -> np.ndarray | None:
    try:
        features = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if features.ndim != 2 or len(features) != n_images or features.dtype != np.float32:
        return None
    return features


def _store(path: Path, features: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.save(f, features, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
    remove_temporary_files(path.parent, older_than=STALE_SECONDS)


def _cache_dir(cache_dir) -> Path:
    return Path(cache_dir) if cache_dir is not None else default_cache_dir() / "features"


def _load_fitted(path: Path, transformer: BaseEstimator) -> BaseEstimator | None:
    """The fitted extractor in ``path`` if it is one like ``transformer``, else None."""
    from ..classical.persistence import load_pipeline  # the trust rules of model files
    from ..errors import RunError

    try:
        fitted = load_pipeline(path)
    except RunError:
        return None
    if type(fitted) is not type(transformer) or _canonical(fitted) != _canonical(transformer):
        return None
    return fitted


def cached_fit(
    transformer: BaseEstimator,
    images,
    data_fingerprint: str | None = None,
    cache_dir=None,
) -> BaseEstimator:
    """A copy of ``transformer`` fitted on ``images``, loaded from the cache when there.

    An extractor that learns from data (:func:`learns_from_data`) is fitted
    once per data fingerprint and parameter set and stored in
    ``<cache_dir>/<name>-<key>.skops``; a stateless one is simply fitted (which
    checks its parameters); a ``FeatureUnion`` gets each of its extractors so
    fitted. ``n_jobs`` is ``transformer``'s, whatever it was when stored.

    Parameters are those of :func:`cached_transform`; ``images`` are the
    training images.
    """
    images = as_images(images)
    if data_fingerprint is None:
        data_fingerprint = hash_arrays(images)
    cache_dir = _cache_dir(cache_dir)
    if isinstance(transformer, FeatureUnion):
        fitted = {
            name: cached_fit(part, images, data_fingerprint, cache_dir)
            for name, part in _parts(transformer).items()
        }
        return clone(transformer).set_params(**fitted)
    if not learns_from_data(transformer):
        return clone(transformer).fit(images)
    path = fitted_cache_path(transformer, data_fingerprint, cache_dir)
    fitted = _load_fitted(path, transformer) if path.exists() else None
    if fitted is None:
        from ..classical.persistence import save_pipeline

        fitted = clone(transformer).fit(images)
        save_pipeline(fitted, path)
        remove_temporary_files(path.parent, older_than=STALE_SECONDS)
    elif "n_jobs" in transformer.get_params(deep=False):
        fitted.set_params(n_jobs=transformer.get_params(deep=False)["n_jobs"])
    return fitted


def cached_transform(
    transformer: BaseEstimator,
    images,
    data_fingerprint: str | None = None,
    cache_dir=None,
    *,
    fit_images=None,
    fit_fingerprint: str | None = None,
) -> np.ndarray:
    """``transformer.transform(images)`` as float32 ``(N, D)``, from the cache when there.

    Parameters
    ----------
    transformer : an extractor from :mod:`fer_classic.features` or a
        ``FeatureUnion`` of them (anything with ``get_params`` and ``transform``
        works)
    images : uint8 (N, H, W) or (N, H*W)
    data_fingerprint : str, optional
        Identifies ``images`` (e.g. ``dataset.train.fingerprint``); computed from
        the image bytes when None, which costs a hash of the whole array.
    cache_dir : path, optional
        Default: ``default_cache_dir() / "features"`` (``$FER_CLASSIC_CACHE``...).
    fit_images : uint8 (M, H, W) or (M, H*W), optional
        The training images an extractor that learns from data is fitted on
        (:func:`cached_fit`); ignored by stateless extractors. Needed when
        ``transformer`` (or a part of a union) learns from data.
    fit_fingerprint : str, optional
        Identifies ``fit_images`` (e.g. ``dataset.train.fingerprint``); computed
        from their bytes when None.

    Raises
    ------
    ValueError
        ``transformer`` learns from data and no ``fit_images`` are given.
    """
    images = as_images(images)
    if data_fingerprint is None:
        data_fingerprint = hash_arrays(images)
    cache_dir = _cache_dir(cache_dir)
    learns = learns_from_data(transformer)
    if learns:
        if fit_images is None:
            raise ValueError(
                f"{type(transformer).__name__} learns from data: pass fit_images, the "
                "training images it is fitted on (with their fit_fingerprint)"
            )
        fit_images = as_images(fit_images)
        if fit_fingerprint is None:
            fit_fingerprint = hash_arrays(fit_images)
    if isinstance(transformer, FeatureUnion):
        return _cached_union(
            transformer, images, data_fingerprint, cache_dir, fit_images, fit_fingerprint
        )
    path = feature_cache_path(
        transformer, data_fingerprint, cache_dir, fit_fingerprint if learns else None
    )
    features = _load(path, len(images)) if path.exists() else None
    if features is None:
        if learns:
            transformer = cached_fit(transformer, fit_images, fit_fingerprint, cache_dir)
        features = np.asarray(transformer.transform(images), dtype=np.float32)
        _store(path, features)
    return features


def _cached_union(
    union: FeatureUnion, images, data_fingerprint, cache_dir, fit_images, fit_fingerprint
) -> np.ndarray:
    weights = union.transformer_weights or {}
    parts = []
    for name, transformer in _parts(union).items():
        part = cached_transform(
            transformer,
            images,
            data_fingerprint,
            cache_dir,
            fit_images=fit_images,
            fit_fingerprint=fit_fingerprint,
        )
        if name in weights:
            part = part * np.float32(weights[name])
        parts.append(part)
    return np.hstack(parts)
