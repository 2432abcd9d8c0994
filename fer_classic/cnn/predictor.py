"""Load a trained CNN for inference: a run directory, a ``.keras`` or ``.tflite`` file.

:func:`load_cnn_model` returns an object whose ``predict_proba`` takes the data
layer's grey uint8 ``(N, 48, 48)`` faces and returns float32 ``(N, 7)`` softmax
probabilities, whatever the file: Keras (any backend) or TensorFlow Lite, float32
or int8-quantized. Keras and TensorFlow are imported only when needed, so reading a
``.tflite`` file needs neither (``ai-edge-litert`` is enough).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..data import CLASS_NAMES
from ..errors import RunError
from ..files import read_json
from ..native_logs import filtered_stderr
from ..runs import CNN_MODEL, MANIFEST, TFLITE_MODELS
from .preprocess import IMAGE_SIZE, to_model_input

#: Images per call to the TFLite interpreter.
_TFLITE_BATCH = 256


def default_model_path() -> Path:
    """Path of the default packaged int8 model: the best by validation accuracy.

    See :mod:`.packaged` and the model's card beside it.
    """
    from .packaged import packaged_model

    return packaged_model().path


class KerasCNN:
    """A Keras CNN taking ``(N, 48, 48, channels)`` images in [0, 1].

    Parameters
    ----------
    model : keras.Model
        Maps float32 ``(N, 48, 48, 1 or 3)`` to ``(N, n_classes)`` probabilities.
    source : str
        Where the model was read from, for messages and reports.
    class_names : tuple of str
        The classes of the model's outputs, in order.
    """

    probability_kind = "softmax"

    def __init__(
        self, model: Any, source: str = "", class_names: tuple[str, ...] = CLASS_NAMES
    ) -> None:
        self.model = model
        self.source = source
        self.class_names = tuple(class_names)
        self.channels = _check_io(
            model.input_shape, model.output_shape, source, len(self.class_names)
        )

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities of uint8 ``(N, 48, 48)`` faces, float32 ``(N, n_classes)``."""
        x = to_model_input(images, self.channels)
        if len(x) == 0:
            return np.zeros((0, len(self.class_names)), dtype=np.float32)
        # predict_on_batch per chunk: Model.predict's per-call set-up costs ~0.1 s,
        # which would dominate the latency of small batches.
        chunks = [self.model.predict_on_batch(x[i : i + 256]) for i in range(0, len(x), 256)]
        return np.concatenate([np.asarray(c, dtype=np.float32) for c in chunks])


class TFLiteCNN:
    """A TensorFlow Lite CNN, float32 or with quantized (int8/uint8) input and output.

    Quantized inputs are quantized with the model's own scale and zero point, and
    quantized outputs dequantized and renormalized to sum to 1.

    Parameters
    ----------
    path : path-like
        The ``.tflite`` file.
    class_names : tuple of str
        The classes of the model's outputs, in order.
    """

    probability_kind = "softmax"

    def __init__(
        self, path: str | os.PathLike[str], class_names: tuple[str, ...] = CLASS_NAMES
    ) -> None:
        self.path = Path(path)
        self.source = str(self.path)
        self.class_names = tuple(class_names)
        self.interpreter = _make_interpreter(self.path)
        self._input = self.interpreter.get_input_details()[0]
        self._output = self.interpreter.get_output_details()[0]
        self.channels = _check_io(
            tuple(self._input["shape"]),
            tuple(self._output["shape"]),
            self.source,
            len(self.class_names),
        )
        self._batch = None

    @property
    def quantized(self) -> bool:
        """Whether the model takes and returns integers."""
        return np.dtype(self._input["dtype"]) != np.float32

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities of uint8 ``(N, 48, 48)`` faces, float32 ``(N, n_classes)``."""
        x = to_model_input(images, self.channels)
        out = [self._run(x[i : i + _TFLITE_BATCH]) for i in range(0, len(x), _TFLITE_BATCH)]
        if not out:
            return np.zeros((0, len(self.class_names)), dtype=np.float32)
        return np.concatenate(out)

    def _run(self, x: np.ndarray) -> np.ndarray:
        interpreter, inp, out = self.interpreter, self._input, self._output
        if self._batch != len(x):
            interpreter.resize_tensor_input(inp["index"], list(x.shape))
            interpreter.allocate_tensors()
            self._batch = len(x)
        dtype = np.dtype(inp["dtype"])
        if dtype != np.float32:
            scale, zero = inp["quantization"]
            info = np.iinfo(dtype)
            x = np.clip(np.round(x / scale) + zero, info.min, info.max).astype(dtype)
        interpreter.set_tensor(inp["index"], x)
        interpreter.invoke()
        y = interpreter.get_tensor(out["index"])
        if np.dtype(out["dtype"]) != np.float32:
            scale, zero = out["quantization"]
            y = (y.astype(np.float32) - zero) * scale
            y = np.clip(y, 0.0, None)
            y /= np.maximum(y.sum(axis=1, keepdims=True), np.finfo(np.float32).tiny)
        return np.asarray(y, dtype=np.float32)


def load_cnn_model(
    source: str | os.PathLike[str] | None = None, *, variant: str = "keras"
) -> KerasCNN | TFLiteCNN:
    """Load a CNN for inference.

    Parameters
    ----------
    source : path-like or None
        A CNN run directory, a ``.keras`` file, a ``.tflite`` file, or None for
        the packaged default int8 model (:func:`default_model_path`).
    variant : {"keras", "float32", "int8"}
        Which model of a run directory: the best Keras checkpoint
        (``model.keras``) or one of its TFLite exports.

    Returns
    -------
    KerasCNN or TFLiteCNN
        With ``predict_proba(images: uint8 (N, 48, 48)) -> float32 (N, n_classes)``;
        a run directory's classes are those of its manifest, a file's outside one FER-2013's.

    Raises
    ------
    RunError
        The source is missing, or is not a CNN over 48x48 faces and its classes.
    """
    path = default_model_path() if source is None else Path(source)
    if path.is_dir():
        path = _run_model_path(path, variant)
    if not path.exists():
        raise RunError(f"{path}: no such file or directory")
    class_names = _run_class_names(path.parent)
    suffix = path.suffix.lower()
    if suffix == ".tflite":
        return TFLiteCNN(path, class_names)
    if suffix == ".keras":
        return KerasCNN(load_keras_model(path), source=str(path), class_names=class_names)
    raise RunError(f"{path}: not a CNN model (expected a run directory, .keras or .tflite)")


def load_keras_model(path: str | os.PathLike[str], *, compile: bool = False) -> Any:
    """Read a ``.keras`` file; a file Keras cannot read is a :class:`RunError`."""
    import zipfile

    import keras

    path = Path(path)
    if not path.is_file():
        raise RunError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise RunError(f"{path}: not a .keras archive (truncated, or another kind of file)")
    try:
        return keras.saving.load_model(path, compile=compile)
    except Exception as exc:  # Keras raises ValueError, OSError, zipfile errors...
        raise RunError(
            f"{path}: cannot be read as a Keras model ({type(exc).__name__}: {exc})"
        ) from None


def _run_model_path(run_dir: Path, variant: str) -> Path:
    if variant == "keras":
        name = CNN_MODEL
    elif variant in TFLITE_MODELS:
        name = TFLITE_MODELS[variant]
    else:
        raise ValueError(f"variant must be keras, float32 or int8, got {variant!r}")
    path = run_dir / name
    if not path.exists():
        raise RunError(
            f"{run_dir}: no {name} (not a CNN run directory, or its training or export "
            "has not finished)"
        )
    return path


def _run_class_names(folder: Path) -> tuple[str, ...]:
    """The classes of the CNN run ``folder`` holds (its manifest's); FER-2013's seven
    for a model file outside a run directory."""
    if (folder / MANIFEST).is_file():
        names = read_json(folder / MANIFEST).get("data", {}).get("class_names")
        if names:
            return tuple(names)
    return CLASS_NAMES


def _check_io(input_shape: tuple, output_shape: tuple, source: str, n_classes: int) -> int:
    """The channels a model takes; RunError unless it maps 48x48 faces to ``n_classes``."""
    input_shape, output_shape = tuple(input_shape), tuple(output_shape)
    if (
        len(input_shape) != 4
        or tuple(input_shape[1:3]) != (IMAGE_SIZE, IMAGE_SIZE)
        or input_shape[3] not in (1, 3)
        or len(output_shape) != 2
        or output_shape[1] != n_classes
    ):
        outside = (
            ""
            if n_classes != len(CLASS_NAMES)
            else " (a model file outside its run directory "
            "is taken to predict FER-2013's seven classes)"
        )
        raise RunError(
            f"{source}: not a facial-expression CNN of these classes: it maps {input_shape} to "
            f"{output_shape}, expected (N, 48, 48, 1 or 3) to (N, {n_classes}){outside}"
        )
    return int(input_shape[3])


def _make_interpreter(path: Path) -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tensorflow.lite import Interpreter
        except ImportError:
            raise RunError(
                f"{path}: reading .tflite files needs ai-edge-litert or tensorflow"
            ) from None
    try:
        with filtered_stderr(_is_interpreter_info):
            interpreter = Interpreter(model_path=str(path))
            interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise RunError(f"{path}: not a TensorFlow Lite model ({exc})") from None
    return interpreter


def _is_interpreter_info(line: bytes) -> bool:
    """The interpreter's ``INFO: Created TensorFlow Lite XNNPACK delegate for CPU.``"""
    return line.startswith(b"INFO: ")
