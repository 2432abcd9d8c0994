"""One interface over every trained model: classical runs, CNN runs, TFLite files.

:func:`load_model` turns a model source into a :class:`Classifier`, which takes
uint8 ``(N, 48, 48)`` grey faces and returns one score per class:

==================  ==========================================================
``probability_kind``  what :meth:`Classifier.predict_proba` returns
==================  ==========================================================
``softmax``         the CNN's softmax outputs (sum to 1)
``probability``     a classifier's own class probabilities (random forest, KNN,
                    logistic regression; sum to 1)
``calibrated``      probabilities fitted on top of a classifier's scores
                    (``CalibratedClassifierCV``, or ``SVC(probability=True)``'s
                    cross-validated Platt scaling; sum to 1)
``decision_scores`` signed distances from the decision boundaries (an SVM fitted
                    without probabilities): larger is more likely, not in [0, 1]
==================  ==========================================================

Sources: a classical run directory (``manifest.json`` of kind ``"classical"`` and
``model.skops``), a CNN run directory (kind ``"cnn"``), a ``.tflite`` or ``.keras``
file, a packaged CNN by name, or ``None`` for the default packaged CNN. Classical
runs of older versions hold a pickle (``model.joblib``), read only with
``trust_pickle=True``: loading a pickle runs any code it holds.
"""

from __future__ import annotations

import functools
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from .data.images import IMAGE_SIZE
from .data.labels import CLASS_NAMES
from .data.validation import check_images
from .errors import ParameterError, RunError
from .files import read_json
from .runs import CLASSICAL_MODEL, LEGACY_CLASSICAL_MODEL, MANIFEST

#: Values of :attr:`Classifier.probability_kind`.
PROBABILITY_KINDS = ("softmax", "probability", "calibrated", "decision_scores")

#: Batches of fewer faces than this run scikit-learn models on one thread.
SMALL_BATCH = 32

_CNN_SUFFIXES = (".tflite", ".keras")


class Classifier(ABC):
    """A trained face-expression model behind one interface.

    Attributes
    ----------
    name : str
        Short human-readable name (run directory and estimator).
    source : str
        Where the model was loaded from.
    class_names : tuple of str
        Names of the columns of :meth:`predict_proba`.
    probability_kind : str
        One of :data:`PROBABILITY_KINDS`: what the scores mean.
    """

    name: str
    source: str
    class_names: tuple[str, ...]
    probability_kind: str

    @property
    def gives_probabilities(self) -> bool:
        """True when the scores are probabilities, False for decision scores."""
        return self.probability_kind != "decision_scores"

    @abstractmethod
    def _scores(self, images: np.ndarray) -> np.ndarray:
        """Scores of checked, non-empty uint8 ``(N, 48, 48)`` images."""

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class scores of grey faces.

        Parameters
        ----------
        images : ndarray of uint8, shape (N, 48, 48)

        Returns
        -------
        ndarray of float32, shape (N, n_classes)
            Probabilities, or decision scores when :attr:`probability_kind` is
            ``"decision_scores"``; columns follow :attr:`class_names`.
        """
        images = check_images(images, allow_empty=True)
        if len(images) == 0:
            return np.empty((0, len(self.class_names)), dtype=np.float32)
        return np.asarray(self._scores(images), dtype=np.float32)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Index into :attr:`class_names` of the highest score, int64 ``(N,)``.

        On exact ties of votes this can differ from an estimator's own ``predict``
        (``SVC`` without ``break_ties`` returns the first tied class, KNN the
        smallest label).
        """
        return np.argmax(self.predict_proba(images), axis=1).astype(np.int64)

    def describe(self) -> dict[str, Any]:
        """Name, source, class names and probability kind, for reports."""
        return {
            "name": self.name,
            "source": self.source,
            "class_names": list(self.class_names),
            "probability_kind": self.probability_kind,
        }


class SklearnClassifier(Classifier):
    """A fitted scikit-learn estimator (usually a Pipeline) that takes uint8 faces.

    Parameters
    ----------
    estimator : classifier
        Fitted; its first step takes uint8 ``(N, 48, 48)`` images.
    class_names : sequence of str, optional
        Names of the label indices in ``estimator.classes_``; default FER-2013's.
    name, source : str
    """

    def __init__(
        self,
        estimator: Any,
        class_names: Sequence[str] | None = None,
        name: str = "classical",
        source: str = "",
    ) -> None:
        self.estimator = estimator
        self.name = name
        self.source = source
        names = tuple(class_names) if class_names is not None else CLASS_NAMES
        self.class_names = tuple(_class_name(c, names) for c in estimator.classes_)
        self.probability_kind = sklearn_probability_kind(estimator)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """The estimator's own decision, as indices into :attr:`class_names`, int64 ``(N,)``.

        Unlike the arg-max of :meth:`predict_proba`, this is exactly what the run's
        ``test_predictions.csv`` holds (``SVC`` decides by one-vs-one votes).
        """
        images = check_images(images, allow_empty=True)
        if len(images) == 0:
            return np.empty(0, dtype=np.int64)
        with _thread_limiter().limit(limits=1 if len(images) < SMALL_BATCH else None):
            labels = self.estimator.predict(images)
        return np.searchsorted(self.estimator.classes_, labels).astype(np.int64)

    def _scores(self, images: np.ndarray) -> np.ndarray:
        if len(images) < SMALL_BATCH:
            # Waking OpenMP / BLAS threads costs more than a few faces take, and far
            # more on a busy machine (benchmarks/predict.md).
            with _thread_limiter().limit(limits=1):
                return self._estimator_scores(images)
        return self._estimator_scores(images)

    def _estimator_scores(self, images: np.ndarray) -> np.ndarray:
        if self.probability_kind != "decision_scores":
            return self.estimator.predict_proba(images)
        scores = np.asarray(self.estimator.decision_function(images))
        if scores.ndim == 1:  # binary: one signed score for classes_[1]
            scores = np.stack([-scores, scores], axis=1)
        return scores


@functools.cache
def _thread_limiter() -> ThreadpoolController:
    return ThreadpoolController()


def sklearn_probability_kind(estimator: Any) -> str:
    """What the scores of a fitted scikit-learn classifier are (see module docstring)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC, NuSVC

    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    if hasattr(estimator, "predict_proba"):
        if isinstance(final, CalibratedClassifierCV):
            return "calibrated"
        if isinstance(final, (SVC, NuSVC)):
            return "calibrated"  # probability=True: Platt scaling by internal CV
        return "probability"
    if hasattr(estimator, "decision_function"):
        return "decision_scores"
    raise RunError(
        f"{type(final).__name__} has neither predict_proba nor decision_function: "
        "cannot score faces"
    )


class _CnnClassifier(Classifier):
    """Adapter over the object :mod:`fer_classic.cnn` loads."""

    def __init__(self, model: Any, name: str, source: str) -> None:
        self.model = model
        self.name = name
        self.source = source
        self.class_names = tuple(getattr(model, "class_names", CLASS_NAMES))
        self.probability_kind = getattr(model, "probability_kind", "softmax")

    def _scores(self, images: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(images)


#: Test-time augmentations :func:`with_tta` knows: the views whose scores it averages.
TTA_VIEWS = {"flip": ("the face", "its mirror image")}


class _TTAClassifier(Classifier):
    """Scores averaged over views of each face (:func:`with_tta`)."""

    def __init__(self, base: Any, tta: str) -> None:
        self.base = base
        self.tta = tta
        self.name = f"{getattr(base, 'name', None) or base.source} + {tta} TTA"
        self.source = base.source
        self.class_names = base.class_names
        self.probability_kind = base.probability_kind

    def _scores(self, images: np.ndarray) -> np.ndarray:
        mirrored = np.ascontiguousarray(images[:, :, ::-1])
        return (self.base.predict_proba(images) + self.base.predict_proba(mirrored)) / 2

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "tta": self.tta}


def with_tta(model: Any, tta: str | None) -> Any:
    """``model`` with test-time augmentation ``tta``; None returns it as it is.

    ``model`` is a :class:`Classifier`, or any object with ``predict_proba``,
    ``source``, ``class_names`` and ``probability_kind`` (a loaded CNN).

    ``"flip"`` averages the scores of each face and of its mirror image (left and
    right swapped), which costs two predictions per face.

    Raises
    ------
    ParameterError
        ``tta`` is not one of :data:`TTA_VIEWS`.
    """
    if tta is None:
        return model
    if tta not in TTA_VIEWS:
        raise ParameterError("tta", f"unknown {{name}} {tta!r}; valid: {', '.join(TTA_VIEWS)}")
    return _TTAClassifier(model, tta)


def load_model(
    source: str | os.PathLike[str] | Classifier | None = None, *, trust_pickle: bool = False
) -> Classifier:
    """Load a trained model as a :class:`Classifier`.

    Parameters
    ----------
    source : str, path, Classifier or None
        The name of a packaged CNN (``"squeezenet"``, ``"compact"``:
        :mod:`fer_classic.cnn.packaged`), a classical or CNN run directory, a
        ``.tflite`` or ``.keras`` file, a ``model.skops``, an already loaded
        :class:`Classifier` (returned as is), or None for the packaged CNN with
        the best validation accuracy. A folder named like a packaged model is
        given with a path (``./compact``).
    trust_pickle : bool
        Read a classical run saved as a pickle (``model.joblib``, written by
        older versions), which runs any code it holds
        (:mod:`fer_classic.classical.persistence`).

    Raises
    ------
    RunError
        The source is missing, is not a model, or cannot be loaded.
    """
    if isinstance(source, Classifier):
        return source
    if source is None or _is_packaged_name(source):
        return _load_packaged(source)
    path = Path(source)
    if not path.exists():
        raise RunError(f"{path}: no such file or directory")
    if path.is_file():
        if path.suffix.lower() in _CNN_SUFFIXES:
            return _load_cnn(path, name=path.name)
        if path.name in (CLASSICAL_MODEL, LEGACY_CLASSICAL_MODEL):
            return _load_classical(path.parent, trust_pickle)
        raise RunError(
            f"{path}: not a model (expected a run directory, a .tflite or .keras file, "
            f"or a {CLASSICAL_MODEL})"
        )
    if not (path / MANIFEST).exists():
        raise RunError(f"{path}: not a run directory (no {MANIFEST})")
    kind = read_json(path / MANIFEST).get("kind")
    if kind == "classical":
        return _load_classical(path, trust_pickle)
    if kind == "cnn":
        return _load_cnn(path, name=path.name)
    raise RunError(f"{path / MANIFEST}: kind {kind!r} is not a model (classical or cnn)")


def _class_name(label: Any, names: Sequence[str]) -> str:
    if isinstance(label, (int, np.integer)) and 0 <= int(label) < len(names):
        return str(names[int(label)])
    return str(label)


def _load_classical(run_dir: Path, trust_pickle: bool) -> SklearnClassifier:
    from .classical.persistence import load_pipeline, model_path

    path = model_path(run_dir)
    estimator = load_pipeline(path, trust_pickle=trust_pickle)
    if not hasattr(estimator, "classes_"):
        raise RunError(f"{path}: not a fitted classifier ({type(estimator).__name__})")
    class_names = None
    if (run_dir / MANIFEST).exists():
        class_names = read_json(run_dir / MANIFEST).get("data", {}).get("class_names")
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    classifier = SklearnClassifier(
        estimator,
        class_names,
        name=f"{run_dir.name} ({type(final).__name__})",
        source=str(run_dir),
    )
    try:
        classifier.predict_proba(np.zeros((1, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8))
    except Exception as exc:
        raise RunError(
            f"{path}: does not take uint8 48x48 images ({type(exc).__name__}: {exc})"
        ) from None
    return classifier


def _is_packaged_name(source: Any) -> bool:
    """Whether ``source`` names a packaged CNN; RunError where a path has that name too."""
    from .cnn.packaged import packaged_models

    if not isinstance(source, str):
        return False
    try:
        names = packaged_models()
    except RunError:  # a broken install: paths still load
        return False
    if source not in names:
        return False
    if Path(source).exists():
        raise RunError(
            f"{source!r} names both a packaged CNN and the path {Path(source).resolve()}; "
            f"write ./{source} for the path"
        )
    return True


def _load_packaged(name: str | None) -> Classifier:
    from .cnn.packaged import packaged_model

    model = packaged_model(name)
    label = f"packaged {model.name} CNN"
    if name is None:
        label += ", the default: best PublicTest accuracy"
    return _load_cnn(model.path, name=label)


def _load_cnn(path: Path, name: str) -> Classifier:
    from .cnn import load_cnn_model

    model = load_cnn_model(path)  # raises RunError for what is not a CNN
    file_name = Path(getattr(model, "source", path)).name
    label = name if file_name == name else f"{name} ({file_name})"
    return _CnnClassifier(model, name=label, source=str(getattr(model, "source", path)))
