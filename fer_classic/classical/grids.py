"""Parameter grids: the built-in defaults per feature and model, and TOML grid files.

A grid is a list of dicts mapping parameter names to lists of values, as
scikit-learn's ``ParameterGrid``; its candidates are the union of each dict's
cross product. Parameters are the candidate's (see
:mod:`fer_classic.classical.pipelines`): ``scaler``, ``pca`` and the model's own.

Default grids
-------------
Sized so that the full default grid (six extractors x three models) runs on
full FER-2013 on two cores in under two hours with ``--search halving``:

- ``knn``: n_neighbors 1, 3, 5, 7, 9, 15, 25 x weights uniform, distance x
  p 1, 2 (28 candidates scored from two neighbour queries, one per norm);
  standardised features, except raw pixels, compared as they are.
- ``svm``: linear (``LinearSVC``) with C 0.001, 0.01, 0.1 on standardised
  features; RBF with C 1, 3, 10 and gamma "scale", after PCA to 100 and 300
  dimensions where the features have more than 300. Nine candidates: halving
  fits them on a ninth of the training split, three on a third, and only the
  best on all of it (an RBF fit on 28,709 images costs minutes).
- ``rf``: 200 trees, max_features "sqrt", unlimited depth, class_weight none
  and balanced.

Grid files
----------
``--grid grid.toml`` replaces the default grid of each model it names::

    [features.hog]          # extractor parameters (fer_classic.features), optional
    pixels_per_cell = 6

    [knn]                   # one grid for the model ...
    n_neighbors = [1, 3, 5]
    weights = ["distance"]
    p = [1, 2, 3]

    [[svm]]                 # ... or several, as an array of tables
    kernel = ["rbf"]
    C = [1, 10]
    pca = [200, "none"]

A scalar stands for a one-value list. TOML has no null: ``"none"`` turns PCA,
``max_depth`` or ``class_weight`` off.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FerClassicError
from .neighbors import WEIGHTS
from .pipelines import MODEL_PARAMS, MODELS, PREPROCESSING_PARAMS, SCALERS, SVM_KERNELS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Grid = list[dict[str, list[Any]]]

#: Dimensions above which the default RBF SVM works on PCA components.
RBF_PCA_COMPONENTS = 300


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, bool)


def _positive_int(v) -> bool:
    return _is_int(v) and v >= 1


def _positive_number(v) -> bool:
    return _is_number(v) and math.isfinite(v) and v > 0


#: Parameter -> (check of one value, what valid values are), for error messages.
_CHECKS = {
    "scaler": (lambda v: v in SCALERS, f"one of {', '.join(SCALERS)}"),
    "pca": (lambda v: v is None or _positive_int(v), 'a positive integer or "none"'),
    "n_neighbors": (_positive_int, "a positive integer"),
    "weights": (lambda v: v in WEIGHTS, f"one of {', '.join(WEIGHTS)}"),
    "p": (lambda v: _is_number(v) and math.isfinite(v) and v >= 1, "a number >= 1"),
    "kernel": (lambda v: v in SVM_KERNELS, f"one of {', '.join(SVM_KERNELS)}"),
    "C": (_positive_number, "a positive number"),
    "gamma": (
        lambda v: v in ("scale", "auto") or _positive_number(v),
        'a positive number, "scale" or "auto"',
    ),
    "class_weight": (
        lambda v: v in (None, "balanced", "balanced_subsample"),
        '"none", "balanced" or "balanced_subsample"',
    ),
    "n_estimators": (_positive_int, "a positive integer"),
    "max_depth": (lambda v: v is None or _positive_int(v), 'a positive integer or "none"'),
    "max_features": (
        lambda v: v in ("sqrt", "log2", None) or _positive_int(v) or (_is_number(v) and 0 < v <= 1),
        '"sqrt", "log2", "none", a positive integer or a fraction in (0, 1]',
    ),
    "min_samples_leaf": (_positive_int, "a positive integer"),
}
_NONE_ALLOWED = {"pca", "class_weight", "max_depth", "max_features"}


def _from_toml(name: str, value: Any) -> Any:
    if value == "none" and name in _NONE_ALLOWED:
        return None
    return value


def check_grid(model: str, grid: Sequence[Mapping[str, Any]], where: str = "grid") -> Grid:
    """Validate and normalise a model's grid: lists of checked values per parameter.

    Raises :class:`FerClassicError` naming ``where``, the model and the key.
    """
    valid = (*PREPROCESSING_PARAMS, *MODEL_PARAMS[model])
    if isinstance(grid, Mapping):
        grid = [grid]
    out: Grid = []
    for table in grid:
        if not isinstance(table, Mapping):
            raise FerClassicError(f"{where}: [{model}] must be a table of parameter = [values]")
        if not table:
            raise FerClassicError(f"{where}: [{model}] is empty; give at least one parameter")
        checked: dict[str, list[Any]] = {}
        for key, values in table.items():
            if key not in valid:
                names = ", ".join(sorted(valid))
                raise FerClassicError(
                    f"{where}: [{model}] unknown key {key!r}; valid keys: {names}"
                )
            values = list(values) if isinstance(values, (list, tuple)) else [values]
            if not values:
                raise FerClassicError(f"{where}: [{model}] {key} is an empty list")
            check, what = _CHECKS[key]
            values = [_from_toml(key, v) for v in values]
            for v in values:
                if not check(v):
                    raise FerClassicError(
                        f"{where}: [{model}] {key} = {v!r} is invalid; expected {what}"
                    )
            checked[key] = values
        out.append(dict(sorted(checked.items())))
    return out


def expand_grid(grid: Grid) -> list[dict[str, Any]]:
    """The candidates of ``grid`` in a fixed order: each table's cross product, in turn."""
    candidates = []
    for table in grid:
        keys = list(table)
        for values in itertools.product(*(table[k] for k in keys)):
            candidates.append(dict(zip(keys, values, strict=True)))
    return candidates


def default_grid(feature: str, model: str, n_features: int, n_train: int) -> Grid:
    """The built-in grid of ``model`` on ``feature`` (a spec such as ``"hog+lbp"``).

    ``n_features`` (the feature dimension) and ``n_train`` (training images)
    decide PCA for the RBF SVM: to ``min(300, n_train)`` components when
    ``n_features`` exceeds 300.
    """
    if model == "knn":
        scaler = "none" if feature == "pixels" else "standard"
        return [
            {
                "scaler": [scaler],
                "n_neighbors": [1, 3, 5, 7, 9, 15, 25],
                "weights": ["uniform", "distance"],
                "p": [1, 2],
            }
        ]
    if model == "svm":
        if n_features > RBF_PCA_COMPONENTS:
            pcas = sorted({min(100, n_train), min(RBF_PCA_COMPONENTS, n_train)})
        else:
            pcas = [None]
        linear = {"scaler": ["standard"], "kernel": ["linear"], "C": [0.001, 0.01, 0.1]}
        rbf = {"scaler": ["standard"], "pca": pcas, "kernel": ["rbf"], "C": [1, 3, 10]}
        return [linear, {**rbf, "gamma": ["scale"]}]
    if model == "rf":
        return [
            {
                "n_estimators": [200],
                "max_features": ["sqrt"],
                "max_depth": [None],
                "class_weight": [None, "balanced"],
            }
        ]
    raise ValueError(f"model must be one of {list(MODELS)}; got {model!r}")


def load_grid_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML grid file into a document for :func:`parse_grid_document`."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise FerClassicError(f"{path}: no such grid file") from None
    except tomllib.TOMLDecodeError as exc:
        raise FerClassicError(f"{path}: not valid TOML ({exc})") from None


def _check_extractor_params(name: str, params: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The parameters of extractor ``name`` from a grid file, checked on a 48x48 image."""
    from ..features import FEATURES
    from .backends import check_n_jobs

    valid = FEATURES[name]().get_params()
    for key in params:
        if key not in valid:
            raise FerClassicError(
                f"{where}: [features.{name}] unknown key {key!r}; valid keys: "
                f"{', '.join(sorted(valid))}"
            )
    try:
        if "n_jobs" in params:
            check_n_jobs(params["n_jobs"], "n_jobs")
        FEATURES[name](**params).fit(np.zeros((1, 48, 48), dtype=np.uint8))
    except (ValueError, TypeError) as exc:
        raise FerClassicError(f"{where}: [features.{name}] {exc}") from None
    return dict(params)


def parse_grid_document(
    document: Mapping[str, Any], where: str = "grid"
) -> tuple[dict[str, Grid], dict[str, dict[str, Any]]]:
    """Check a grid document: ``(grids per model, extractor parameters per name)``.

    ``document`` is a TOML grid file as read by :func:`load_grid_file`, or the
    same structure built in Python. Raises :class:`FerClassicError` naming
    ``where`` and the offending key.
    """
    from ..features import FEATURES

    grids: dict[str, Grid] = {}
    feature_params: dict[str, dict[str, Any]] = {}
    for key, value in document.items():
        if key == "features":
            if not isinstance(value, Mapping):
                raise FerClassicError(f"{where}: [features] must hold [features.<name>] tables")
            for name, params in value.items():
                if name not in FEATURES:
                    raise FerClassicError(
                        f"{where}: [features.{name}] unknown extractor; valid names: "
                        f"{', '.join(FEATURES)}"
                    )
                if not isinstance(params, Mapping):
                    raise FerClassicError(f"{where}: [features.{name}] must be a table")
                feature_params[name] = _check_extractor_params(name, params, where)
        elif key in MODELS:
            grids[key] = check_grid(key, value, where=where)
        else:
            raise FerClassicError(
                f"{where}: unknown section {key!r}; valid sections: features, {', '.join(MODELS)}"
            )
    return grids, feature_params
