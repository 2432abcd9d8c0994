"""Classifiers by name: the five built in, and those a user or an installed package registers.

A registered classifier is searched like the built-in ones: named by
``grid-search --models`` and by a grid file's section, with the same feature
cache, resume and parallel workers, and shown in reports under its name.

Built-in classifiers
--------------------
=========  =======================================================  ==========================
name       classifier                                               parameters
=========  =======================================================  ==========================
``knn``    :class:`~fer_classic.classical.neighbors.KNNClassifier`  n_neighbors, weights, p
``svm``    ``LinearSVC`` (kernel "linear") or ``SVC`` (rbf)          kernel, C, gamma, class_weight
``rf``     ``RandomForestClassifier``                               n_estimators, max_depth,
                                                                    max_features, min_samples_leaf,
                                                                    class_weight
``ksvm``   :class:`~fer_classic.classical.kernels.KernelSVC`:       kernel, method, C, blocks,
           one-vs-rest SVMs under histogram kernels (intersection,  kernel_weights, sample_steps,
           chi2) or weighted sums of kernels                        class_weight
``local``  :class:`~fer_classic.classical.local.LocalSVC`: an SVM   n_neighbors and those of
           per test image, on its nearest training images           ``ksvm``
=========  =======================================================  ==========================

``knn``, ``svm`` and ``rf`` are :data:`MODELS`, searched when no models are
named; ``ksvm`` and ``local`` when named (``--models local``).

The linear SVM is ``LinearSVC`` (liblinear), not ``SVC(kernel="linear")``: the
same model, fitted in seconds rather than tens of minutes on 28,709 images.

Their default grids are sized so that the full default grid (six extractors x
three models) runs on full FER-2013 on two cores in under two hours with
``--search halving``:

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

The default grids of the two searched only when named:

- ``ksvm``: the chi2 kernel through its explicit map (``method="map"``, linear
  in the number of training images) with C 0.1, 1, 10 on unscaled features;
  the linear kernel where the features include landmarks, which can be
  negative.
- ``local``: the linear kernel on unscaled features, n_neighbors 500 and
  2000, C 0.1 and 1 (Ionescu et al.'s linear kernels on presence vectors).

Registering a classifier
------------------------
:func:`register_classifier` in Python, or, for an installed package, an entry
point of the group ``fer_classic.classifiers`` naming a scikit-learn classifier
class (``logreg = "mypackage.models:MyClassifier"`` in its ``pyproject.toml``).
Worker processes receive each classifier's registration with the candidates
they score, so a classifier registered in a notebook runs in them too.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.svm import SVC, LinearSVC

from ..errors import FerClassicError
from ..plugins import check_new_name, register_entry_points
from .kernels import KERNELS, METHODS, KernelSVC
from .local import LocalSVC
from .neighbors import WEIGHTS, KNNClassifier

if TYPE_CHECKING:
    from .grids import Grid

#: A check of one grid value: ``(test, what valid values are)``, for error messages.
Check = tuple[Callable[[Any], bool], str]

#: The entry-point group through which installed packages register classifiers:
#: ``name = "package.module:ClassifierClass"``.
ENTRY_POINT_GROUP = "fer_classic.classifiers"

#: The built-in classifiers, searched when no ``models`` are named.
MODELS = ("knn", "svm", "rf")

#: Names no classifier may take: the grid file's section of extractor parameters.
RESERVED_NAMES = ("features",)

SVM_KERNELS = ("linear", "rbf")

#: Dimensions above which the default RBF SVM works on PCA components.
RBF_PCA_COMPONENTS = 300


@dataclass(frozen=True)
class RegisteredClassifier:
    """A classifier the search knows by name, as :func:`register_classifier` records it.

    Attributes
    ----------
    name : str
        Its name in ``--models``, grid files, run directories and reports.
    factory : callable
        A scikit-learn classifier class, or a function returning an unfitted
        classifier, called with a candidate's parameters as keywords.
    params : tuple of str
        The parameters a grid may set.
    seeded : bool
        Whether ``factory`` takes ``random_state``, which the search sets to its seed.
    checks : mapping of str -> (test, description)
        Checks of grid values per parameter; a parameter without one is checked
        by the classifier when it is fitted.
    grid : list of dict, callable or None
        The default grid (None: one candidate, the defaults).
    """

    name: str
    factory: Callable[..., BaseEstimator]
    params: tuple[str, ...]
    seeded: bool
    checks: Mapping[str, Check] = field(default_factory=dict)
    grid: Grid | Callable[[str, int, int], Grid] | None = None

    def make(self, params: Mapping[str, Any], seed: int = 0) -> BaseEstimator:
        """The unfitted classifier with a candidate's own parameters (others are ignored)."""
        own = {key: value for key, value in params.items() if key in self.params}
        if self.seeded:
            own["random_state"] = seed
        return self.factory(**own)

    def default_grid(self, feature: str, n_features: int, n_train: int) -> Grid:
        """The grid searched on ``feature`` when no grid file names this classifier."""
        if self.grid is None:
            return [{}]
        if callable(self.grid):
            return self.grid(feature, n_features, n_train)
        return [{key: list(values) for key, values in table.items()} for table in self.grid]


#: Name -> registration of the classifiers: the three built in, then those registered
#: (:func:`register_classifier`, or the ``fer_classic.classifiers`` entry points).
CLASSIFIERS: dict[str, RegisteredClassifier] = {}


def _keyword_parameters(factory: Callable[..., Any]) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in inspect.signature(factory).parameters.values() if p.kind in kinds]


def _check_is_classifier(classifier: object) -> None:
    what = "is not a scikit-learn classifier class, nor a function returning a classifier"
    if not callable(classifier):
        raise ValueError(f"{classifier!r} {what}")
    try:
        default = classifier()
    except Exception as exc:
        raise ValueError(
            f"{classifier!r} cannot be called without arguments ({type(exc).__name__}: {exc})"
        ) from None
    if not (isinstance(default, BaseEstimator) and is_classifier(default)):
        raise ValueError(f"{classifier!r} {what} (it gives {type(default).__name__})")


def register_classifier(
    name: str,
    classifier: Callable[..., BaseEstimator],
    grid: Grid | Mapping[str, Any] | Callable[[str, int, int], Grid] | None = None,
    *,
    checks: Mapping[str, Check] | None = None,
) -> Callable[..., BaseEstimator]:
    """Make a classifier usable by name in ``grid-search --models``, grid files and reports.

    Parameters
    ----------
    name : str
        What ``--models`` and a grid file's section call it (letters, digits,
        ``_`` and ``-``; not ``features``).
    classifier : class or callable
        A scikit-learn classifier class (``ClassifierMixin``), or a function
        returning an unfitted one. It is called with a candidate's parameters as
        keywords, plus ``random_state`` set to the search's seed when it takes
        one; called with no arguments, it gives the classifier with its defaults.
        A model file holding a class registered here is trusted when loaded by a
        process that registered it.
    grid : mapping, list of mappings or callable, optional
        Its default grid: a table ``{parameter: [values]}`` or a list of them, as
        in a grid file (:mod:`fer_classic.classical.grids`), checked here; or a
        function ``grid(feature, n_features, n_train)`` of the feature setting's
        name, its dimension and the number of training images, returning one.
        Default: one candidate, the classifier's defaults. A grid file's section
        replaces it.
    checks : mapping of str -> (test, description), optional
        The parameters grids may set, each with a test of a value and what
        valid values are (``{"C": (lambda v: v > 0, "a positive number")}``).
        Default: every parameter of ``classifier`` but ``random_state``, whose
        values the classifier checks when it is fitted.

    Returns
    -------
    The classifier, as given.

    Raises
    ------
    ValueError
        The name is malformed, reserved or taken; ``classifier`` is not a
        scikit-learn classifier nor a function returning one; ``checks`` names
        a parameter it does not take; or ``grid`` is invalid.
    """
    check_new_name(name, CLASSIFIERS, "classifier")
    if name in RESERVED_NAMES:
        raise ValueError(f"classifier name {name!r} is reserved; choose another")
    _check_is_classifier(classifier)
    parameters = _keyword_parameters(classifier)
    tunable = tuple(p for p in parameters if p != "random_state")
    if checks is not None:
        unknown = sorted(set(checks) - set(tunable))
        if unknown:
            raise ValueError(f"checks of classifier {name!r} name unknown parameters {unknown}")
        tunable = tuple(checks)
    entry = RegisteredClassifier(
        name, classifier, tunable, "random_state" in parameters, dict(checks or {})
    )
    if grid is not None and not callable(grid):
        from .grids import check_grid  # grids are checked against a registration

        try:
            grid = check_grid(entry, grid, where=f"default grid of classifier {name!r}")
        except FerClassicError as exc:
            raise ValueError(str(exc)) from None
    CLASSIFIERS[name] = replace(entry, grid=grid)
    return classifier


def get_classifier(name: str) -> RegisteredClassifier:
    """The registration of classifier ``name``.

    Raises
    ------
    ValueError
        No classifier of that name is registered; the message lists those that are.
    """
    try:
        return CLASSIFIERS[name]
    except KeyError:
        raise ValueError(f"model must be one of {list(CLASSIFIERS)}; got {name!r}") from None


def _register_entry_points() -> None:
    """Register the classifiers that installed packages declare, warning about broken ones."""
    register_entry_points(ENTRY_POINT_GROUP, register_classifier)


# -- the built-in classifiers ------------------------------------------------------------------


def _is_int(v: object) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, bool)


def _positive_int(v: object) -> bool:
    return _is_int(v) and v >= 1


def _positive_number(v: object) -> bool:
    return _is_number(v) and math.isfinite(v) and v > 0


def support_vector_classifier(
    kernel: str = "rbf",
    C: float = 1.0,
    gamma: str | float = "scale",
    class_weight: str | None = None,
    random_state: int = 0,
) -> LinearSVC | SVC:
    """The ``svm`` classifier: ``LinearSVC`` for the linear kernel, ``SVC`` for rbf.

    ``gamma`` is the RBF kernel's (the linear one has none); ``random_state``
    seeds ``LinearSVC``'s coordinate descent.
    """
    if kernel == "linear":
        return LinearSVC(C=C, class_weight=class_weight, random_state=random_state, max_iter=5000)
    if kernel == "rbf":
        return SVC(kernel="rbf", C=C, gamma=gamma, class_weight=class_weight, cache_size=1000)
    raise ValueError(f"kernel must be one of {list(SVM_KERNELS)}; got {kernel!r}")


def _knn_grid(feature: str, n_features: int, n_train: int) -> Grid:
    scaler = "none" if feature == "pixels" else "standard"
    return [
        {
            "scaler": [scaler],
            "n_neighbors": [1, 3, 5, 7, 9, 15, 25],
            "weights": ["uniform", "distance"],
            "p": [1, 2],
        }
    ]


def _svm_grid(feature: str, n_features: int, n_train: int) -> Grid:
    if n_features > RBF_PCA_COMPONENTS:
        pcas = sorted({min(100, n_train), min(RBF_PCA_COMPONENTS, n_train)})
    else:
        pcas = [None]
    linear = {"scaler": ["standard"], "kernel": ["linear"], "C": [0.001, 0.01, 0.1]}
    rbf = {"scaler": ["standard"], "pca": pcas, "kernel": ["rbf"], "C": [1, 3, 10]}
    return [linear, {**rbf, "gamma": ["scale"]}]


def _rf_grid(feature: str, n_features: int, n_train: int) -> Grid:
    return [
        {
            "n_estimators": [200],
            "max_features": ["sqrt"],
            "max_depth": [None],
            "class_weight": [None, "balanced"],
        }
    ]


def _one_of(values: Sequence[Any], what: str) -> Check:
    return (lambda v: v in values, what)


_KNN_CHECKS: dict[str, Check] = {
    "n_neighbors": (_positive_int, "a positive integer"),
    "weights": _one_of(WEIGHTS, f"one of {', '.join(WEIGHTS)}"),
    "p": (lambda v: _is_number(v) and math.isfinite(v) and v >= 1, "a number >= 1"),
}
_SVM_CHECKS: dict[str, Check] = {
    "kernel": _one_of(SVM_KERNELS, f"one of {', '.join(SVM_KERNELS)}"),
    "C": (_positive_number, "a positive number"),
    "gamma": (
        lambda v: v in ("scale", "auto") or _positive_number(v),
        'a positive number, "scale" or "auto"',
    ),
    "class_weight": _one_of((None, "balanced"), '"none" or "balanced"'),
}
_RF_CHECKS: dict[str, Check] = {
    "n_estimators": (_positive_int, "a positive integer"),
    "max_depth": (lambda v: v is None or _positive_int(v), 'a positive integer or "none"'),
    "max_features": (
        lambda v: v in ("sqrt", "log2", None) or _positive_int(v) or (_is_number(v) and 0 < v <= 1),
        '"sqrt", "log2", "none", a positive integer or a fraction in (0, 1]',
    ),
    "min_samples_leaf": (_positive_int, "a positive integer"),
    "class_weight": _one_of(
        (None, "balanced", "balanced_subsample"), '"none", "balanced" or "balanced_subsample"'
    ),
}

#: Built-in extractors whose features are never negative: histogram kernels apply.
_NON_NEGATIVE_FEATURES = ("pixels", "hist", "hog", "lbp", "gabor", "bovw")


def _histogram_kernel(feature: str) -> str:
    names = [name.strip() for name in feature.split("+")]
    return "chi2" if all(name in _NON_NEGATIVE_FEATURES for name in names) else "linear"


def _ksvm_grid(feature: str, n_features: int, n_train: int) -> Grid:
    return [
        {
            "scaler": ["none"],
            "kernel": [_histogram_kernel(feature)],
            "method": ["map"],
            "C": [0.1, 1.0, 10.0],
        }
    ]


def _local_grid(feature: str, n_features: int, n_train: int) -> Grid:
    return [
        {
            "scaler": ["none"],
            "kernel": ["linear"],
            "method": ["map"],
            "n_neighbors": [500, 2000],
            "C": [0.1, 1.0],
        }
    ]


def _kernel_name(v: object) -> bool:
    if isinstance(v, str):
        return v in KERNELS
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(k in KERNELS for k in v)


def _none_or_sequence(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: (
        v is None or (isinstance(v, (list, tuple)) and len(v) > 0 and all(test(x) for x in v))
    )


_KSVM_CHECKS: dict[str, Check] = {
    "kernel": (_kernel_name, f"one of {', '.join(KERNELS)}, or a list of them (one per block)"),
    "method": _one_of(METHODS, f"one of {', '.join(METHODS)}"),
    "C": (_positive_number, "a positive number"),
    "blocks": (_none_or_sequence(_positive_int), '"none" or a list of positive integers'),
    "kernel_weights": (
        _none_or_sequence(_positive_number),
        '"none" or a list of positive numbers, one per block',
    ),
    "sample_steps": _one_of((1, 2, 3), "1, 2 or 3"),
    "class_weight": _one_of((None, "balanced"), '"none" or "balanced"'),
}
_LOCAL_CHECKS: dict[str, Check] = {
    "n_neighbors": (_positive_int, "a positive integer"),
    **_KSVM_CHECKS,
}

register_classifier("knn", KNNClassifier, _knn_grid, checks=_KNN_CHECKS)
register_classifier("svm", support_vector_classifier, _svm_grid, checks=_SVM_CHECKS)
register_classifier("rf", RandomForestClassifier, _rf_grid, checks=_RF_CHECKS)
register_classifier("ksvm", KernelSVC, _ksvm_grid, checks=_KSVM_CHECKS)
register_classifier("local", LocalSVC, _local_grid, checks=_LOCAL_CHECKS)
_register_entry_points()
