"""Parameter grids: their checks, their candidates, each model's default, TOML grid files.

A grid is a list of dicts mapping parameter names to lists of values, as
scikit-learn's ``ParameterGrid``; its candidates are the union of each dict's
cross product. Parameters are the candidate's (see
:mod:`fer_classic.classical.pipelines`): ``scaler``, ``pca`` and the model's own.

Default grids
-------------
Each classifier's registration gives its default grid
(:mod:`fer_classic.classical.registry`, which lists those of the built-in ones);
one registered without a grid has one candidate: its default parameters.

Grid files
----------
``--grid grid.toml`` replaces the default grid of each model it names, a
section per registered classifier::

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

A scalar stands for a one-value list. TOML has no null: ``"none"`` stands for
None (it turns PCA, ``max_depth`` or ``class_weight`` off) wherever a parameter's
check accepts None, and for every parameter without a check (a registered
classifier's, :func:`~fer_classic.classical.register_classifier`);
``scaler = "none"`` is the string.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import FerClassicError
from .pipelines import PREPROCESSING_PARAMS, SCALERS
from .registry import CLASSIFIERS, Check, RegisteredClassifier, _positive_int, get_classifier

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Grid = list[dict[str, list[Any]]]

#: Checks of the preprocessing parameters every model's grid may set.
_PREPROCESSING_CHECKS: dict[str, Check] = {
    "scaler": (lambda v: v in SCALERS, f"one of {', '.join(SCALERS)}"),
    "pca": (lambda v: v is None or _positive_int(v), 'a positive integer or "none"'),
}


def _from_toml(value: Any, check: Check | None) -> Any:
    """``"none"`` as None where the parameter takes None (or has no check)."""
    if value == "none" and (check is None or check[0](None)):
        return None
    return value


def check_grid(
    model: str | RegisteredClassifier,
    grid: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    where: str = "grid",
) -> Grid:
    """Validate and normalise a model's grid: lists of checked values per parameter.

    ``model`` is a registered classifier's name or its registration: its
    ``params`` are the valid keys besides ``scaler`` and ``pca``, and its
    ``checks`` test their values.

    Raises :class:`FerClassicError` naming ``where``, the model and the key.
    """
    classifier = model if isinstance(model, RegisteredClassifier) else get_classifier(model)
    model = classifier.name
    valid = (*PREPROCESSING_PARAMS, *classifier.params)
    checks = {**_PREPROCESSING_CHECKS, **classifier.checks}
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
            check = checks.get(key)
            values = [_from_toml(v, check) for v in values]
            for v in values:
                if check is not None and not check[0](v):
                    raise FerClassicError(
                        f"{where}: [{model}] {key} = {v!r} is invalid; expected {check[1]}"
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
    """The default grid of ``model`` on ``feature`` (a spec such as ``"hog+lbp"``).

    ``n_features`` (the feature dimension) and ``n_train`` (training images) are
    what a grid may depend on: the built-in RBF SVM works on
    ``min(300, n_train)`` PCA components when ``n_features`` exceeds 300.
    """
    return get_classifier(model).default_grid(feature, n_features, n_train)


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
    from ..features import FEATURES, feature_dimension
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
        feature_dimension(FEATURES[name](**params), (48, 48))
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
        elif key in CLASSIFIERS:
            grids[key] = check_grid(key, value, where=where)
        else:
            raise FerClassicError(
                f"{where}: unknown section {key!r}; valid sections: features, "
                f"{', '.join(CLASSIFIERS)}"
            )
    return grids, feature_params
