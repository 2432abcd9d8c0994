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

A loaded :class:`Classifier` also says what it is, for reports and listings:
:attr:`~Classifier.description` (features and classifier, or architecture, input
and epochs), :attr:`~Classifier.summary` (the same in a few words),
:attr:`~Classifier.parameters` and :attr:`~Classifier.stored` (its size).
:func:`run_models` lists the model files a run directory offers: a classical
run's pipeline; a CNN run's Keras checkpoint and its TensorFlow Lite exports.

A network's size is its parameter count. A classical model's is what it keeps
after fitting, counted as stored numbers so that both sit on one axis: an SVM
keeps its support vectors, KNN keeps its training samples, a random forest its
tree nodes, a linear model its coefficients, and preprocessing steps (scaler,
PCA) their fitted arrays. Feature extractors are stateless and store nothing.
"""

from __future__ import annotations

import functools
import inspect
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from .data.images import IMAGE_SIZE
from .data.labels import CLASS_NAMES
from .data.validation import check_images
from .errors import ParameterError, RunError
from .files import read_json
from .runs import (
    CLASSICAL_MODEL,
    CNN_MODEL,
    CONFIG,
    LEGACY_CLASSICAL_MODEL,
    MANIFEST,
    METRICS,
    MODEL_FILES,
    TFLITE_MODELS,
    model_file,
)

#: Values of :attr:`Classifier.probability_kind`.
PROBABILITY_KINDS = ("softmax", "probability", "calibrated", "decision_scores")

#: Batches of fewer faces than this run scikit-learn models on one thread.
SMALL_BATCH = 32

_CNN_SUFFIXES = (".tflite", ".keras")

# Parameters worth naming when a classifier's repr is long.
_KEY_PARAMS = ("kernel", "C", "gamma", "n_neighbors", "weights", "p", "metric",
               "n_estimators", "max_depth", "max_features", "n_components")  # fmt: skip

# Per tree node, scikit-learn keeps the two children, the split feature and threshold.
_NODE_STRUCTURE = 4


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
    description : str
        What the model is, in one line: its features and classifier
        (``HogFeatures() + StandardScaler() + SVC(C=10)``), or its architecture,
        input channels and training epochs.
    summary : str
        The same in a few words (``hog / SVC``, ``compact-fer-v1``).
    parameters : int or None
        A network's parameter count, or the number of values a classical model
        stores; None where unknown.
    stored : str
        What the model stores, in words (``1,204 support vectors x 900 features
        (1,090,000 values)``, ``72,743 parameters``); empty where unknown.
    """

    name: str
    source: str
    class_names: tuple[str, ...]
    probability_kind: str
    description: str = ""
    summary: str = ""
    parameters: int | None = None
    stored: str = ""

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

    @functools.cached_property
    def description(self) -> str:
        """The pipeline's steps and their parameters that differ from the defaults."""
        return _describe_pipeline(self.estimator)

    @functools.cached_property
    def summary(self) -> str:
        """The pipeline's features and classifier, ``hog+lbp / PCA / SVC``."""
        return _summarize_pipeline(self.estimator)

    @functools.cached_property
    def _size(self) -> StoredSize:
        return stored_size(self.estimator)

    @property
    def parameters(self) -> int:
        """The number of values the fitted pipeline stores."""
        return self._size.values

    @property
    def stored(self) -> str:
        """What the fitted pipeline stores, in words, and the number of values."""
        return f"{self._size.summary} ({self._size.values:,} values)"

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
    """Adapter over the object :mod:`fer_classic.cnn` loads.

    ``config`` and ``metrics`` are those of the CNN run directory the model file
    belongs to, empty for a file outside one. ``adjustment`` (``tau`` and
    ``prior``) is a logit adjustment applied to the file's probabilities
    (:func:`fer_classic.cnn.logit_adjustment.adjust_probabilities`): that of a
    packaged file adjusted after it was made; a run's files carry their own.
    """

    def __init__(
        self,
        model: Any,
        name: str,
        source: str,
        config: dict[str, Any],
        metrics: dict[str, Any],
        adjustment: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.name = name
        self.source = source
        self.class_names = tuple(getattr(model, "class_names", CLASS_NAMES))
        self.probability_kind = getattr(model, "probability_kind", "softmax")
        if "channels" not in config and getattr(model, "channels", None) is not None:
            config = {**config, "channels": model.channels}
        self.description = _describe_cnn(config, metrics)
        self.summary = str(config.get("architecture") or "CNN")
        network = getattr(model, "model", None)  # the Keras model; a TFLite file holds none
        parameters = metrics.get("n_params")  # recorded by train-cnn from the same network
        if not isinstance(parameters, int) and network is not None:
            parameters = int(network.count_params())
        self.parameters = parameters if isinstance(parameters, int) else None
        self.stored = "" if self.parameters is None else f"{self.parameters:,} parameters"

        self.adjustment = adjustment

    def _scores(self, images: np.ndarray) -> np.ndarray:
        proba = self.model.predict_proba(images)
        if self.adjustment is None:
            return proba
        from .cnn.logit_adjustment import adjust_probabilities

        prior = np.asarray(self.adjustment["prior"])
        return adjust_probabilities(proba, prior, self.adjustment["tau"]).astype(proba.dtype)


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
        self.description = getattr(base, "description", "")
        self.summary = getattr(base, "summary", "")
        self.parameters = getattr(base, "parameters", None)
        self.stored = getattr(base, "stored", "")

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
    if source is None or is_packaged_name(source):
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
    kind = _model_kind(path)
    if kind == "classical":
        return _load_classical(path, trust_pickle)
    return _load_cnn(path, name=path.name)


@dataclass(frozen=True)
class RunModel:
    """A model file of a run directory, as :func:`run_models` lists it.

    Attributes
    ----------
    path : Path
        The file, which :func:`load_model` loads.
    label : str
        What tells it from the run's other models (``"Keras"``, ``"TFLite int8"``);
        empty where the run offers one model.
    variant : str
        Its file format and number type: ``"scikit-learn (skops)"``,
        ``"Keras float32"``, ``"TFLite int8"``.
    exported_from : str or None
        Name of the run's model file this one was converted from, which holds
        the same network and parameters; None for the model the run trained,
        whose test predictions the run recorded.
    """

    path: Path
    label: str
    variant: str
    exported_from: str | None = None


def run_models(run_dir: str | os.PathLike[str]) -> tuple[list[RunModel], list[str]]:
    """The model files a run directory offers, and which of its exports it lacks.

    Parameters
    ----------
    run_dir : path
        A classical or CNN run directory (:mod:`fer_classic.runs`).

    Returns
    -------
    models : list of RunModel
        The model the run trained first, then the exports of it that exist: a
        classical run's pipeline; a CNN run's Keras checkpoint, then its
        TensorFlow Lite float32 and int8 exports.
    missing : list of str
        One line naming the exports the run lacks, prefixed with ``run_dir``;
        empty when it has them all.

    Raises
    ------
    RunError
        ``run_dir`` is not a run directory of a kind that holds a model.
    """
    run_dir = Path(run_dir)
    if _model_kind(run_dir) == "classical":
        path = model_file(run_dir, "classical")
        return [RunModel(path, "", f"scikit-learn ({path.suffix[1:]})")], []
    exports = [
        RunModel(run_dir / name, f"TFLite {q}", f"TFLite {q}", exported_from=CNN_MODEL)
        for q, name in TFLITE_MODELS.items()
    ]
    models = [RunModel(model_file(run_dir, "cnn"), "Keras", "Keras float32")]
    models += [m for m in exports if m.path.exists()]
    missing = [m.path.name for m in exports if not m.path.exists()]
    if not missing:
        return models, []
    return models, [f"{run_dir}: no {', '.join(missing)} (TFLite export not done?)"]


def _model_kind(run_dir: Path) -> str:
    """The kind of a run directory, one of :data:`~fer_classic.runs.MODEL_FILES`; else RunError."""
    if not (run_dir / MANIFEST).exists():
        raise RunError(f"{run_dir}: not a run directory (no {MANIFEST})")
    kind = read_json(run_dir / MANIFEST).get("kind")
    if kind not in MODEL_FILES:
        raise RunError(
            f"{run_dir / MANIFEST}: kind {kind!r} is not a model ({' or '.join(MODEL_FILES)})"
        )
    return kind


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


def is_packaged_name(source: Any) -> bool:
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
    from .cnn.architectures import ARCHITECTURES
    from .cnn.packaged import packaged_model

    model = packaged_model(name)
    label = f"packaged {model.name} CNN"
    if name is None:
        label += ", the default: best PublicTest accuracy"
    architecture = ARCHITECTURES.get(model.name)
    config = {"architecture": architecture.version} if architecture else {}
    metrics: dict[str, Any] = {} if model.parameters is None else {"n_params": model.parameters}
    if model.logit_adjustment is not None:
        metrics["logit_adjustment"] = model.logit_adjustment
    return _load_cnn(
        model.path, name=label, config=config, metrics=metrics, adjustment=model.logit_adjustment
    )


def _load_cnn(
    path: Path,
    name: str,
    config: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    adjustment: dict[str, Any] | None = None,
) -> Classifier:
    from .cnn import load_cnn_model

    model = load_cnn_model(path)  # raises RunError for what is not a CNN
    file_name = Path(getattr(model, "source", path)).name
    label = name if file_name == name else f"{name} ({file_name})"
    if config is None:  # what the run directory holding the file records
        config, metrics = {}, {}
        run_dir = path if path.is_dir() else path.parent
        if (run_dir / MANIFEST).exists() and read_json(run_dir / MANIFEST).get("kind") == "cnn":
            config = read_json(run_dir / CONFIG) if (run_dir / CONFIG).exists() else {}
            metrics = read_json(run_dir / METRICS) if (run_dir / METRICS).exists() else {}
    source = str(getattr(model, "source", path))
    return _CnnClassifier(
        model,
        name=label,
        source=source,
        config=config,
        metrics=metrics or {},
        adjustment=adjustment,
    )


def _describe_cnn(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    """A CNN's architecture, input and epochs, from its run's configuration and metrics."""
    architecture = config.get("architecture") or "CNN"
    details = []
    if "channels" in config:
        details.append(f"{config['channels']} input channel(s)")
    done = metrics.get("epochs_done")
    if "epochs" in config:
        if isinstance(done, int) and done < config["epochs"]:
            details.append(f"{done} of {config['epochs']} epochs")
        else:
            details.append(f"{config['epochs']} epochs")
    if config.get("init_from"):
        details.append("fine-tuned from a trained run")
    adjustment = metrics.get("logit_adjustment")
    if isinstance(adjustment, dict) and adjustment.get("tau"):
        details.append(f"logit-adjusted, tau {adjustment['tau']:g}")
    return f"{architecture} ({', '.join(details)})" if details else str(architecture)


def _describe_estimator(est: Any) -> str:
    """``SVC(C=10, kernel='rbf')``: the class and its parameters that differ from defaults."""
    try:
        changed = _changed_params(est)
    except Exception:  # a third-party estimator without get_params
        return type(est).__name__
    shown = {k: v for k, v in changed.items() if k in _KEY_PARAMS} if len(changed) > 4 else changed
    args = ", ".join(f"{k}={v!r}" for k, v in shown.items() if not hasattr(v, "get_params"))
    return f"{type(est).__name__}({args})"


def _changed_params(est: Any) -> dict[str, Any]:
    params = est.get_params(deep=False)
    signature = inspect.signature(type(est).__init__)
    changed = {}
    for name, value in params.items():
        default = signature.parameters.get(name)
        if default is None or default.default is inspect.Parameter.empty:
            changed[name] = value
            continue
        try:
            same = bool(value == default.default)
        except Exception:  # arrays compare element-wise
            same = False
        if not same:
            changed[name] = value
    return changed


def _pipeline_steps(estimator: Any) -> list[Any]:
    """The steps of a pipeline that do something, or the estimator alone."""
    if not hasattr(estimator, "steps"):
        return [estimator]
    return [step for _, step in estimator.steps if step is not None and step != "passthrough"]


def _describe_pipeline(estimator: Any) -> str:
    """The steps of a fitted pipeline, ``HogFeatures(...) + StandardScaler() + SVC(...)``."""
    return " + ".join(_describe_estimator(step) for step in _pipeline_steps(estimator))


def _summarize_pipeline(estimator: Any) -> str:
    """Features and classifier in a few words: ``hog+lbp+landmarks / PCA / SVC``."""
    if not hasattr(estimator, "steps"):
        return type(estimator).__name__
    steps = _pipeline_steps(estimator)
    words = [_features_name(steps[0]), *(_step_name(s) for s in steps[1:])]
    return " / ".join(w for w in words if w)


def _features_name(step: Any) -> str:
    if hasattr(step, "transformer_list"):  # FeatureUnion of extractors
        return "+".join(name for name, _ in step.transformer_list)
    return _step_name(step)


def _step_name(step: Any) -> str:
    from .features import FEATURES

    names = {cls: name for name, cls in FEATURES.items()}
    if type(step) in names:
        return names[type(step)]
    if type(step).__name__ == "StandardScaler":
        return ""  # scaling is a detail of the pipeline, in its full description
    return type(step).__name__


@dataclass(frozen=True)
class StoredSize:
    """What a fitted model stores: ``values`` numbers, described in words by ``summary``."""

    values: int
    summary: str


def stored_size(estimator: Any) -> StoredSize:
    """What a fitted scikit-learn estimator or Pipeline stores.

    Returns the number of stored values (the sum over the pipeline's steps) and a
    summary of each step's store, e.g. ``"1,204 support vectors x 900
    features"``, ``"100 trees, 52,310 nodes"``, ``"20,096 training samples x 900
    features"``.
    """
    parts = [_estimator_size(step) for step in _pipeline_steps(estimator)]
    summaries = [part.summary for part in parts if part.summary]
    return StoredSize(sum(part.values for part in parts), "; ".join(summaries))


def _estimator_size(est: Any) -> StoredSize:
    if hasattr(est, "calibrated_classifiers_"):
        return _calibrated_size(est)
    if hasattr(est, "support_vectors_"):
        return _svm_size(est)
    if _kept_samples(est) is not None:
        return _neighbors_size(est)
    if hasattr(est, "estimators_") and _is_tree(_first(est.estimators_)):
        return _forest_size(est)
    if _is_tree(est):
        nodes, values = _tree_values(est)
        return StoredSize(values, f"1 tree, {nodes:,} nodes")
    if hasattr(est, "coef_"):
        coef = np.asarray(est.coef_)
        values = coef.size + np.size(getattr(est, "intercept_", 0))
        return StoredSize(int(values), f"linear: {' x '.join(f'{n:,}' for n in coef.shape)} coef")
    if hasattr(est, "components_"):
        k, d = np.shape(est.components_)
        return StoredSize(_fitted_array_values(est), f"{type(est).__name__} {d:,} -> {k:,}")
    return StoredSize(_fitted_array_values(est), "")


def _first(items: Any) -> Any:
    items = np.ravel(np.asarray(items, dtype=object))
    return items[0] if len(items) else None


def _is_tree(est: Any) -> bool:
    return hasattr(est, "tree_") and hasattr(est.tree_, "node_count")


def _tree_values(tree_est: Any) -> tuple[int, int]:
    tree = tree_est.tree_
    per_node = _NODE_STRUCTURE + int(np.prod(tree.value.shape[1:]))
    return int(tree.node_count), int(tree.node_count) * per_node


def _forest_size(est: Any) -> StoredSize:
    trees = [t for t in np.ravel(np.asarray(est.estimators_, dtype=object)) if _is_tree(t)]
    counted = [_tree_values(t) for t in trees]
    nodes = sum(n for n, _ in counted)
    values = sum(v for _, v in counted)
    leaves = sum(int(t.tree_.n_leaves) for t in trees)
    return StoredSize(values, f"{len(trees):,} trees, {nodes:,} nodes ({leaves:,} leaves)")


def _svm_size(est: Any) -> StoredSize:
    n_sv, n_features = np.shape(est.support_vectors_)
    values = (
        int(np.size(est.support_vectors_))
        + int(np.size(getattr(est, "dual_coef_", 0)))
        + int(np.size(getattr(est, "intercept_", 0)))
    )
    return StoredSize(values, f"{n_sv:,} support vectors x {n_features:,} features")


def _kept_samples(est: Any) -> np.ndarray | None:
    """The training samples a nearest-neighbour model keeps (scikit-learn's or ours)."""
    for name in ("fit_X_", "_fit_X"):
        kept = getattr(est, name, None)
        if isinstance(kept, np.ndarray) and kept.ndim == 2:
            return kept
    return None


def _neighbors_size(est: Any) -> StoredSize:
    n, d = _kept_samples(est).shape
    return StoredSize(n * d + n, f"{n:,} training samples x {d:,} features kept")


def _calibrated_size(est: Any) -> StoredSize:
    parts = [_estimator_size(c.estimator) for c in est.calibrated_classifiers_]
    values = sum(p.values for p in parts)
    inner = parts[0].summary if parts else ""
    return StoredSize(values, f"{len(parts)} calibrated copies of: {inner}")


def _fitted_array_values(est: Any) -> int:
    """Numbers in the fitted array attributes (trailing underscore) of an estimator."""
    total = 0
    for name, value in getattr(est, "__dict__", {}).items():
        if name.endswith("_") and not name.startswith("_") and isinstance(value, np.ndarray):
            if value.dtype != object:
                total += value.size
    return total
