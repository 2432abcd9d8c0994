"""Saving and loading classical pipelines without running the code a file holds.

A classical run's model is written with ``skops.io`` (``model.skops``), which
stores scikit-learn objects as data and, when loading, rebuilds only types it
trusts: those skops trusts itself (scikit-learn's estimators, NumPy arrays), the
other classes of scikit-learn (such as the calibration helpers), and fer-classic's
own feature extractors and classifiers (:func:`trusted_types`). A file naming any
other type, or any function, is refused, with the types listed. Runs written
before this format keep a ``model.joblib``: a pickle, which runs whatever code it
holds as it loads, so it is read only when the caller says it trusts its source
(``trust_pickle=True``, ``--trust-pickle``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import RunError
from ..files import atomic_path
from ..runs import CLASSICAL_MODEL, model_file

#: What to do about a pickled model, for messages.
TRUST_PICKLE_HINT = (
    "a pickle runs any code it holds as it loads: pass --trust-pickle (trust_pickle=True) "
    "only for a run from a source you trust, or rerun the grid search to write a "
    f"{CLASSICAL_MODEL}"
)


def trusted_types() -> list[str]:
    """The fer-classic types a ``model.skops`` may hold: registered extractors and classifiers."""
    from ..features import FEATURES
    from .registry import CLASSIFIERS

    factories = [classifier.factory for classifier in CLASSIFIERS.values()]
    classes = [*FEATURES.values(), *(f for f in factories if isinstance(f, type))]
    return sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in classes)


def _is_sklearn_class(name: str) -> bool:
    """Whether ``name`` (``module.Qualname``) is a class defined in scikit-learn."""
    import importlib
    import inspect

    module, _, qualname = name.rpartition(".")
    if module.split(".")[0] != "sklearn":
        return False
    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return False
    return inspect.isclass(obj) and obj.__module__.split(".")[0] == "sklearn"


def save_pipeline(pipeline: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``pipeline`` to ``path`` with ``skops.io``, atomically."""
    import skops.io

    path = Path(path)
    with atomic_path(path) as tmp:
        skops.io.dump(pipeline, tmp)
    return path


def model_path(run_dir: str | os.PathLike[str]) -> Path:
    """The model file of a classical run: ``model.skops``, or an older ``model.joblib``.

    Raises
    ------
    RunError
        The run holds neither (it has not finished).
    """
    path = model_file(run_dir, "classical")
    if not path.exists():
        raise RunError(f"{run_dir}: classical run without {CLASSICAL_MODEL} (not finished?)")
    return path


def load_pipeline(path: str | os.PathLike[str], *, trust_pickle: bool = False) -> Any:
    """Read a classical model file.

    Parameters
    ----------
    path : path-like
        A ``model.skops`` (only trusted types are rebuilt) or a pickled
        ``model.joblib`` (read only with ``trust_pickle``).
    trust_pickle : bool
        Read a pickle, running whatever code it holds.

    Raises
    ------
    RunError
        The file holds types that are not trusted (listed), is a pickle and
        ``trust_pickle`` is false, or cannot be read.
    """
    path = Path(path)
    if path.suffix == ".skops":
        import skops.io

        try:
            untrusted = skops.io.get_untrusted_types(file=path)
        except Exception as exc:  # a truncated or foreign file raises anything
            raise RunError(f"{path}: not a readable skops file ({type(exc).__name__})") from None
        ours = set(trusted_types())
        foreign = sorted(t for t in untrusted if t not in ours and not _is_sklearn_class(t))
        if foreign:
            raise RunError(f"{path}: holds types fer-classic does not trust: {', '.join(foreign)}")
        try:
            return skops.io.load(path, trusted=untrusted)
        except Exception as exc:
            raise RunError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
    if not trust_pickle:
        raise RunError(f"{path}: is a pickle; {TRUST_PICKLE_HINT}")
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:  # a truncated or foreign pickle raises anything
        raise RunError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
