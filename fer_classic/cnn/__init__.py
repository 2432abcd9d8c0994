"""CNNs: building, training, TFLite export, inference.

- :mod:`.architectures`: the registered architectures by name, each a builder
  function: :func:`build_squeezenet` (:mod:`.squeezenet`, the thesis's customized
  SqueezeNet) and :func:`build_compact` (:mod:`.compact`, a separable residual CNN).
- :func:`train_cnn` (:mod:`.train`): trains into a resumable run directory
  (:mod:`.run_dir`, with the per-epoch recorder and learning-rate schedule of
  :mod:`.callbacks`), scores the best epoch on the test split and exports
  TensorFlow Lite models.
- :func:`export_tflite` (:mod:`.export`): float32 or int8 ``.tflite`` files.
- :func:`load_cnn_model` (:mod:`.predictor`): a run directory, ``.keras`` or
  ``.tflite`` file (default: the packaged int8 model) as an object with
  ``predict_proba(uint8 (N, 48, 48)) -> float32 (N, 7)``.
- :func:`evaluate_model`, :func:`score_predictions`, :func:`format_scores` and
  :data:`SUBSETS`, from :mod:`fer_classic.evaluation`, which scores every kind of
  model: accuracy, macro-F1, per-class scores and the confusion matrix on any data set.

Keras (and through it TensorFlow or JAX) is imported on first use of the names
that need it, so that loading a ``.tflite`` model does not.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ..evaluation import SUBSETS, evaluate_model, format_scores, score_predictions
from .architectures import ARCHITECTURES, build_network, register_architecture
from .config import LR_SCHEDULES, OPTIMIZERS, CNNConfig
from .predictor import KerasCNN, TFLiteCNN, default_model_path, load_cnn_model
from .preprocess import to_model_input

_LAZY = {
    "build_squeezenet": ".squeezenet",
    "fire_module": ".squeezenet",
    "build_compact": ".compact",
    "build_augmenter": ".augment",
    "train_cnn": ".train",
    "build_training_model": ".train",
    "export_run": ".train",
    "TrainResult": ".train",
    "export_tflite": ".export",
}

__all__ = [
    "ARCHITECTURES",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "SUBSETS",
    "CNNConfig",
    "KerasCNN",
    "TFLiteCNN",
    "build_network",
    "default_model_path",
    "evaluate_model",
    "format_scores",
    "load_cnn_model",
    "register_architecture",
    "score_predictions",
    "to_model_input",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
