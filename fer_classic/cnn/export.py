"""TensorFlow Lite export of a trained CNN: float32, and int8 for small devices.

The int8 model is fully integer (weights, activations, input and output), made by
post-training quantization calibrated on a representative sample of training
images. Before quantization, each batch normalization that the converter cannot fold
into the convolution before it (the thesis puts it behind the squeeze convolution's
ReLU) becomes the equivalent 1x1 depthwise convolution
(:func:`batchnorm_as_depthwise`): TensorFlow Lite would otherwise quantize its
multiply and add with one scale for all channels, which cost the shipped model 1.7
points of accuracy (none with the rewrite). Conversion needs TensorFlow; the resulting files
run with ``ai-edge-litert`` alone (:class:`fer_classic.cnn.predictor.TFLiteCNN`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FerClassicError
from ..files import atomic_path
from ..native_logs import filtered_stderr
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
        ``int8`` quantizes weights, activations, input and output to int8, after
        :func:`batchnorm_as_depthwise`.
    representative_images : ndarray of uint8, shape (M, 48, 48)
        Calibration faces for ``int8`` (a few hundred training images).

    Raises
    ------
    FerClassicError
        TensorFlow is not installed.
    """
    _check_quantization(quantization, representative_images)  # before the rewrite
    if quantization == "int8":
        model = batchnorm_as_depthwise(model)
    with tflite_converter(
        model, quantization=quantization, representative_images=representative_images
    ) as converter:
        with filtered_stderr(_is_converter_report):
            flatbuffer = converter.convert()
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(flatbuffer)
    return len(flatbuffer)


def _is_converter_report(line: bytes) -> bool:
    """The converter's ``fully_quantize: 0, inference_type: 6, ...`` line."""
    return line.startswith(b"fully_quantize:")


@contextmanager
def tflite_converter(
    model: Any,
    *,
    quantization: str = "float32",
    representative_images: np.ndarray | None = None,
) -> Iterator[Any]:
    """A ``tf.lite.TFLiteConverter`` of ``model`` set up as :func:`export_tflite` uses it.

    The converter reads a SavedModel in a temporary directory: use it inside the
    ``with`` block. The model is converted as it is (:func:`export_tflite` first
    applies :func:`batchnorm_as_depthwise` for ``int8``). Parameters as for
    :func:`export_tflite`.
    """
    _check_quantization(quantization, representative_images)
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

            def representative_dataset() -> Iterator[list[np.ndarray]]:
                for i in range(len(calibration)):
                    yield [calibration[i : i + 1]]

            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = representative_dataset
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        yield converter


def _check_quantization(quantization: str, representative_images: np.ndarray | None) -> None:
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"quantization must be float32 or int8, got {quantization!r}")
    if quantization == "int8" and (
        representative_images is None or len(representative_images) == 0
    ):
        raise ValueError("int8 quantization needs representative_images")


def batchnorm_as_depthwise(model: Any) -> Any:
    """A copy of a functional model whose unfoldable batch normalizations are convolutions.

    Each ``BatchNormalization`` whose input is not the output of a convolution
    without activation becomes a 1x1 ``DepthwiseConv2D`` computing the same
    inference-time affine map, ``gamma * (x - mean) / sqrt(var + epsilon) + beta``,
    per channel; every other layer is copied with its weights. The outputs are
    those of ``model`` up to float rounding; a model without such a layer comes
    back unchanged (the same object).

    Parameters
    ----------
    model : keras.Model
        A functional model of 4-D ``(batch, height, width, channels)`` tensors.
        Layers of nested models are left as they are.

    Returns
    -------
    keras.Model
    """
    import keras
    from keras import layers

    replace = _unfoldable_batchnorms(model)
    if not replace:
        return model

    def clone(layer: Any) -> Any:
        if layer.name in replace:
            return layers.DepthwiseConv2D(1, use_bias=True, name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if layer.name in replace:
            kwargs.pop("mask", None)  # passed on from the batch normalization's call
        return layer(*args, **kwargs)

    copy = keras.models.clone_model(model, clone_function=clone, call_function=call)
    for layer in model.layers:
        if not layer.weights:
            continue
        target = copy.get_layer(layer.name)
        if layer.name in replace:
            scale, shift = _batchnorm_affine(layer)
            target.set_weights([scale.reshape(1, 1, -1, 1), shift])
        else:
            target.set_weights(layer.get_weights())
    return copy


def _unfoldable_batchnorms(model: Any) -> set[str]:
    """Names of the batch normalizations not right behind a linear convolution.

    Only layers called once, on 4-D tensors, normalizing the last axis, count.
    """
    from keras import layers

    by_name = {entry["name"]: entry for entry in model.get_config()["layers"]}
    names = set()
    for layer in model.layers:
        if not isinstance(layer, layers.BatchNormalization):
            continue
        nodes = by_name[layer.name].get("inbound_nodes") or []
        if len(nodes) != 1 or len(layer.input.shape) != 4 or layer.axis not in (-1, 3):
            continue
        source = _inbound_layer(nodes[0])
        if source is not None:
            before = model.get_layer(source)
            if (
                isinstance(before, layers.Conv2D | layers.DepthwiseConv2D)
                and before.get_config().get("activation") == "linear"
            ):
                continue
        names.add(layer.name)
    return names


def _batchnorm_affine(layer: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel ``(scale, shift)`` of a batch normalization at inference."""
    variance = np.asarray(layer.moving_variance, dtype=np.float64)
    scale = 1.0 / np.sqrt(variance + layer.epsilon)
    if layer.scale:
        scale = scale * np.asarray(layer.gamma, dtype=np.float64)
    shift = -np.asarray(layer.moving_mean, dtype=np.float64) * scale
    if layer.center:
        shift = shift + np.asarray(layer.beta, dtype=np.float64)
    return scale.astype(np.float32), shift.astype(np.float32)


def _inbound_layer(node: dict[str, Any]) -> str | None:
    """The name of the layer whose output a node of a functional model's config takes."""
    tensor = node["args"][0] if node.get("args") else None
    if not isinstance(tensor, dict) or "keras_history" not in tensor.get("config", {}):
        return None
    return tensor["config"]["keras_history"][0]


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
