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
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.pipeline import FeatureUnion

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


def feature_key(transformer: BaseEstimator, data_fingerprint: str) -> str:
    """The cache key of ``transformer``'s features of the data ``data_fingerprint``."""
    text = json.dumps(
        {
            "data": data_fingerprint,
            "extractor": _canonical(transformer),
            "version": __version__,
            "format": FEATURE_CACHE_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def feature_cache_path(transformer: BaseEstimator, data_fingerprint: str, cache_dir) -> Path:
    """Where ``cached_transform`` keeps these features."""
    from .registry import FEATURES

    names = {cls: name for name, cls in FEATURES.items()}
    prefix = names.get(type(transformer), type(transformer).__name__.lower())
    return Path(cache_dir) / f"{prefix}-{feature_key(transformer, data_fingerprint)}.npy"


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


def cached_transform(
    transformer: BaseEstimator,
    images,
    data_fingerprint: str | None = None,
    cache_dir=None,
) -> np.ndarray:
    """``transformer.transform(images)`` as float32 ``(N, D)``, from the cache when there.

    Parameters
    ----------
    transformer : an extractor from :mod:`fer_classic.features` or a
        ``FeatureUnion`` of them (anything stateless with ``get_params`` and
        ``transform`` works)
    images : uint8 (N, H, W) or (N, H*W)
    data_fingerprint : str, optional
        Identifies ``images`` (e.g. ``dataset.train.fingerprint``); computed from
        the image bytes when None, which costs a hash of the whole array.
    cache_dir : path, optional
        Default: ``default_cache_dir() / "features"`` (``$FER_CLASSIC_CACHE``...).
    """
    images = as_images(images)
    if data_fingerprint is None:
        data_fingerprint = hash_arrays(images)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "features"
    if isinstance(transformer, FeatureUnion):
        return _cached_union(transformer, images, data_fingerprint, cache_dir)
    path = feature_cache_path(transformer, data_fingerprint, cache_dir)
    features = _load(path, len(images)) if path.exists() else None
    if features is None:
        features = np.asarray(transformer.transform(images), dtype=np.float32)
        _store(path, features)
    return features


def _cached_union(union: FeatureUnion, images, data_fingerprint, cache_dir) -> np.ndarray:
    weights = union.transformer_weights or {}
    parts = []
    for name, transformer in union.transformer_list:
        if transformer in ("drop", None):
            continue
        part = cached_transform(transformer, images, data_fingerprint, cache_dir)
        if name in weights:
            part = part * np.float32(weights[name])
        parts.append(part)
    return np.hstack(parts)
