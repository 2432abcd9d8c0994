"""Standard backbones for FER: Keras's MobileNet and ResNet-50 behind a softmax head.

Seed 002 (Smelyakov et al. 2022) asks whether networks pretrained on ImageNet
carry over to facial expressions; these builders let ``train-cnn`` answer it on
the same splits as every other model::

    input              (S, S, 1 or 3) in [0, 1]: the face, resized to S by the
                       architecture's Resizing layer (input_size)
    to RGB             grey repeated into three channels where it has one
    preprocessing      MobileNet: scaled to [-1, 1]; ResNet-50: to 0..255 minus
                       ImageNet's channel means (Keras's "caffe" mode)
    backbone           keras.applications.MobileNet (alpha 1.0) or ResNet50,
                       without its classifier, global average pooling
    head               dropout, dense softmax

``weights`` is ``"none"`` (random initialisation), ``"imagenet"`` (Keras fetches
its file once into its cache, ``~/.keras/models``, which needs the internet) or
the path of a weights file of the backbone (``backbone.save_weights``).
``trainable_layers`` freezes all but the backbone's last N layers (seed 002 left
4); -1 trains every layer. Frozen batch normalization layers run in inference
mode, as Keras 3 does for any non-trainable layer.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
from keras import layers

from ..errors import RunError
from .architectures import check_builder_arguments

#: The ImageNet weights files Keras fetches, by backbone, for a missing-file message.
IMAGENET_FILES = {
    "mobilenet": "mobilenet_1_0_224_tf_no_top.h5",
    "resnet50": "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
}

# ImageNet's mean of each channel in BGR order, on the 0..255 scale (Keras's "caffe" mode).
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


def keras_models_dir() -> Path:
    """The folder where Keras keeps the weights files it fetches."""
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return Path(home) / "models"


def build_mobilenet(
    input_shape: tuple[int, int, int] = (96, 96, 3),
    num_classes: int = 7,
    *,
    dropout: float = 0.2,
    weights: str = "none",
    trainable_layers: int = -1,
    name: str = "mobilenet",
) -> keras.Model:
    """MobileNet (v1, alpha 1.0) with a softmax head, uncompiled.

    Parameters
    ----------
    input_shape : (height, width, channels)
        Images scaled to [0, 1], at least 32x32; one channel is repeated into three.
    num_classes : int
        Width of the softmax.
    dropout : float
        Dropout rate before the dense classifier; 0 leaves it out.
    weights : str
        ``"none"``, ``"imagenet"`` or the path of a backbone weights file.
    trainable_layers : int
        Backbone layers left trainable, counted from its end; -1: all.
    name : str
        Name of the model.

    Returns
    -------
    keras.Model
        Maps float32 ``(batch, *input_shape)`` to class probabilities
        ``(batch, num_classes)``; 3.2 M parameters in the backbone.
    """
    return _with_head(
        "mobilenet", input_shape, num_classes, dropout, weights, trainable_layers, name
    )


def build_resnet50(
    input_shape: tuple[int, int, int] = (96, 96, 3),
    num_classes: int = 7,
    *,
    dropout: float = 0.2,
    weights: str = "none",
    trainable_layers: int = -1,
    name: str = "resnet50",
) -> keras.Model:
    """ResNet-50 with a softmax head, uncompiled; parameters as in :func:`build_mobilenet`.

    Returns
    -------
    keras.Model
        23.6 M parameters in the backbone.
    """
    return _with_head(
        "resnet50", input_shape, num_classes, dropout, weights, trainable_layers, name
    )


def _with_head(
    kind: str,
    input_shape: tuple[int, int, int],
    num_classes: int,
    dropout: float,
    weights: str,
    trainable_layers: int,
    name: str,
) -> keras.Model:
    check_builder_arguments(input_shape, num_classes, dropout)
    if min(input_shape[:2]) < 32:
        raise ValueError(f"{kind} needs images of at least 32x32 pixels, got {input_shape[:2]}")
    if trainable_layers < -1:
        raise ValueError(f"trainable_layers must be -1 (all) or more, got {trainable_layers}")
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = inputs
    if input_shape[-1] == 1:
        x = layers.Concatenate(name="to_rgb")([x, x, x])
    if kind == "mobilenet":
        x = layers.Rescaling(2.0, offset=-1.0, name="to_unit_range")(x)
    else:
        x = layers.Rescaling(255.0, name="to_255")(x)
        x = layers.Normalization(
            mean=_CAFFE_MEAN_BGR[::-1], variance=(1.0, 1.0, 1.0), name="imagenet_mean"
        )(x)  # grey in all three channels: the BGR order changes nothing but the means
    backbone = _backbone(kind, (*input_shape[:2], 3), weights)
    _freeze(backbone, trainable_layers)
    x = backbone(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name=name)


def _backbone(kind: str, shape: tuple[int, int, int], weights: str) -> keras.Model:
    application = {
        "mobilenet": keras.applications.MobileNet,
        "resnet50": keras.applications.ResNet50,
    }[kind]
    if weights == "none":
        return application(input_shape=shape, include_top=False, weights=None, pooling="avg")
    if weights == "imagenet":
        try:
            return application(
                input_shape=shape, include_top=False, weights="imagenet", pooling="avg"
            )
        except Exception as exc:  # Keras's get_file raises a bare Exception offline
            where = keras_models_dir() / IMAGENET_FILES[kind]
            raise RunError(
                f"--weights imagenet: Keras could not fetch {kind}'s ImageNet weights "
                f"({type(exc).__name__}); on a machine without the internet, copy "
                f"{IMAGENET_FILES[kind]} from one that has it to {where}"
            ) from None
    path = Path(weights)
    if not path.is_file():
        raise RunError(f"--weights {weights}: no such weights file")
    model = application(input_shape=shape, include_top=False, weights=None, pooling="avg")
    try:
        model.load_weights(path)
    except Exception as exc:  # h5py and Keras raise several kinds for a foreign file
        raise RunError(
            f"--weights {weights}: not the weights of a {kind} backbone of input {shape} "
            f"({type(exc).__name__}: {exc})"
        ) from None
    return model


def _freeze(backbone: keras.Model, trainable_layers: int) -> None:
    """Freeze all but the last ``trainable_layers`` layers of ``backbone``; -1: none."""
    if trainable_layers == -1:
        return
    frozen = backbone.layers[: max(len(backbone.layers) - trainable_layers, 0)]
    for layer in frozen:
        layer.trainable = False
