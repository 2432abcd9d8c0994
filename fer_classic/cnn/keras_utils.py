"""Small helpers over Keras models."""

from __future__ import annotations

from collections.abc import Iterator

import keras
import numpy as np


def nested_layers(model: keras.Model) -> Iterator[keras.layers.Layer]:
    """Every layer of ``model``, those inside nested models and ``Sequential`` s included.

    A nested model is yielded itself, then its layers; the order is depth-first.
    """
    stack = list(reversed(model.layers))
    while stack:
        layer = stack.pop()
        yield layer
        stack.extend(reversed(getattr(layer, "layers", ())))


def multiply_adds(model: keras.Model) -> int:
    """Multiply-adds per image of the convolutions and dense layers of ``model``.

    Counts ``Conv2D``, ``DepthwiseConv2D`` and ``SeparableConv2D`` (depthwise plus
    pointwise) and ``Dense`` layers, nested models included, for one image of
    ``model``'s input shape; normalizations, activations and pooling are left out.
    """
    total = 0
    for layer in nested_layers(model):
        if isinstance(layer, keras.layers.SeparableConv2D):
            _, height, width, filters = layer.output.shape
            k_height, k_width, in_channels, multiplier = layer.depthwise_kernel.shape
            depthwise = height * width * in_channels * multiplier * k_height * k_width
            total += depthwise + height * width * in_channels * multiplier * filters
        elif isinstance(layer, keras.layers.DepthwiseConv2D):
            _, height, width, channels = layer.output.shape
            k_height, k_width, _, _ = layer.kernel.shape
            total += height * width * channels * k_height * k_width
        elif isinstance(layer, keras.layers.Conv2D):
            _, height, width, filters = layer.output.shape
            k_height, k_width, in_channels, _ = layer.kernel.shape
            total += height * width * filters * k_height * k_width * in_channels
        elif isinstance(layer, keras.layers.Dense):
            total += int(np.prod(layer.kernel.shape))
    return int(total)
