"""TensorFlow Lite export of a trained CNN: float32, and int8 for small devices.

The int8 model is fully integer (weights, activations, input and output), made by
post-training quantization calibrated on a representative sample of training
images. Conversion needs TensorFlow; the resulting files run with
``ai-edge-litert`` alone (:class:`fer_classic.cnn.predictor.TFLiteCNN`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FerClassicError
from ..runs import atomic_path
from .preprocess import to_model_input

#: Quantizations :func:`export_tflite` makes.
QUANTIZATIONS = ("float32", "int8")


def export_tflite(
    model: Any,
    path: str | os.PathLike[str],
    *,
    quantization: str = "float32",
    representative_images: np.ndarray | None = None,
) -> int:
    """Convert a Keras model to a ``.tflite`` file; returns its size in bytes.

    Parameters
    ----------
    model : keras.Model
        Takes float32 ``(N, 48, 48, channels)`` images in [0, 1].
    path : path-like
        The ``.tflite`` file to write (atomically).
    quantization : {"float32", "int8"}
        ``int8`` quantizes weights, activations, input and output to int8.
    representative_images : ndarray of uint8, shape (M, 48, 48)
        Calibration faces for ``int8`` (a few hundred training images).

    Raises
    ------
    FerClassicError
        TensorFlow is not installed.
    """
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"quantization must be float32 or int8, got {quantization!r}")
    if quantization == "int8" and (
        representative_images is None or len(representative_images) == 0
    ):
        raise ValueError("int8 quantization needs representative_images")
    tf = _import_tensorflow()
    import keras

    channels = int(model.input_shape[-1])
    spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32, name="image")
    with tempfile.TemporaryDirectory() as saved_model:
        # Keras's own route to a SavedModel freezes its variables into constants.
        archive = keras.export.ExportArchive()
        archive.track(model)
        archive.add_endpoint(
            "serve", lambda image: model(image, training=False), input_signature=[spec]
        )
        archive.write_out(saved_model, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved_model)
        if quantization == "int8":
            calibration = to_model_input(representative_images, channels)

            def representative_dataset() -> Any:
                for i in range(len(calibration)):
                    yield [calibration[i : i + 1]]

            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = representative_dataset
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        flatbuffer = converter.convert()
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(flatbuffer)
    return len(flatbuffer)


def representative_sample(images: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """``n`` images drawn without replacement (all if fewer), in a seeded order."""
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(images))[:n]
    return images[np.sort(rows)]


def _import_tensorflow() -> Any:
    try:
        import tensorflow as tf
    except ImportError:
        raise FerClassicError(
            "TensorFlow Lite export needs TensorFlow (pip install tensorflow-cpu); "
            "the .keras model is saved, export it later with --resume where TensorFlow is installed"
        ) from None
    import keras

    if keras.backend.backend() != "tensorflow":
        raise FerClassicError(
            f"TensorFlow Lite export needs Keras's TensorFlow backend, not "
            f"{keras.backend.backend()!r}: set KERAS_BACKEND=tensorflow"
        )
    return tf
