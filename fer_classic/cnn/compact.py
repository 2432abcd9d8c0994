"""A compact CNN for 48x48 grey faces that a laptop trains in under an hour.

A residual network of depthwise-separable convolutions in the spirit of
mini-Xception (Arriaga et al. 2017) and MobileNet, sized for FER-2013's grey
48x48 faces (one input channel; no duplication into RGB)::

    input              48x48x1
    stem               3x3 conv, 16 filters, BN, ReLU                  48x48x16
    block 1..4         widths 16, 48, 96, 128:                         24, 12, 6, 3 px
                         main: 3x3 separable conv, BN, ReLU,
                               3x3 separable conv, BN,
                               3x3 max pooling, stride 2
                         shortcut: 1x1 conv, stride 2, BN
                         output: main + shortcut, ReLU
    head               global average pooling, dropout, dense softmax  7

Convolutions carry no bias (each is followed by batch normalization). With the
default sizes the network has 72,743 parameters (1,760 of them batch
normalization statistics) and costs 8.1 M multiply-adds per image, 19 times
fewer than the SqueezeNet's 155 M (:func:`fer_classic.cnn.keras_utils.multiply_adds`;
``python benchmarks/cnn_training_cost.py --arch compact`` prints both).
"""

from __future__ import annotations

import keras
from keras import layers

from .architectures import check_builder_arguments

#: Output channels of the residual blocks; each halves the image side.
BLOCK_WIDTHS: tuple[int, ...] = (16, 48, 96, 128)


def separable_residual_block(
    x: keras.KerasTensor, width: int, *, name: str = "block"
) -> keras.KerasTensor:
    """Two 3x3 separable convolutions and a stride-2 max pooling, plus a 1x1 shortcut.

    Parameters
    ----------
    x : KerasTensor of shape (batch, height, width, channels)
    width : int
        Output channels.
    name : str
        Prefix of the block's layer names.

    Returns
    -------
    KerasTensor of shape (batch, ceil(height / 2), ceil(width / 2), width)
    """
    shortcut = layers.Conv2D(
        width, 1, strides=2, padding="same", use_bias=False, name=f"{name}_shortcut"
    )(x)
    shortcut = layers.BatchNormalization(name=f"{name}_shortcut_bn")(shortcut)
    y = layers.SeparableConv2D(width, 3, padding="same", use_bias=False, name=f"{name}_sep1")(x)
    y = layers.BatchNormalization(name=f"{name}_sep1_bn")(y)
    y = layers.ReLU(name=f"{name}_sep1_relu")(y)
    y = layers.SeparableConv2D(width, 3, padding="same", use_bias=False, name=f"{name}_sep2")(y)
    y = layers.BatchNormalization(name=f"{name}_sep2_bn")(y)
    y = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{name}_pool")(y)
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.ReLU(name=f"{name}_relu")(y)


def build_compact(
    input_shape: tuple[int, int, int] = (48, 48, 1),
    num_classes: int = 7,
    *,
    dropout: float = 0.2,
    stem_filters: int = 16,
    block_widths: tuple[int, ...] = BLOCK_WIDTHS,
    name: str = "compact",
) -> keras.Model:
    """The compact separable residual CNN, uncompiled.

    Parameters
    ----------
    input_shape : (height, width, channels)
        Images scaled to [0, 1]: ``(48, 48, 1)``, or ``(48, 48, 3)`` for grey
        duplicated into three channels.
    num_classes : int
        Width of the softmax.
    dropout : float
        Dropout rate before the dense classifier; 0 leaves it out.
    stem_filters : int
        Filters of the first (full) 3x3 convolution.
    block_widths : tuple of int
        Output channels of the residual blocks, one block per entry.
    name : str
        Name of the model.

    Returns
    -------
    keras.Model
        Maps float32 ``(batch, *input_shape)`` to class probabilities
        ``(batch, num_classes)``.
    """
    check_builder_arguments(input_shape, num_classes, dropout)
    if not block_widths:
        raise ValueError("block_widths must name at least one block")
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = layers.Conv2D(stem_filters, 3, padding="same", use_bias=False, name="stem")(inputs)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    for i, width in enumerate(block_widths, start=1):
        x = separable_residual_block(x, width, name=f"block{i}")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name=name)
