"""Small helpers over Keras models."""

from __future__ import annotations

from collections.abc import Iterator

import keras


def nested_layers(model: keras.Model) -> Iterator[keras.layers.Layer]:
    """Every layer of ``model``, those inside nested models and ``Sequential`` s included.

    A nested model is yielded itself, then its layers; the order is depth-first.
    """
    stack = list(reversed(model.layers))
    while stack:
        layer = stack.pop()
        yield layer
        stack.extend(reversed(getattr(layer, "layers", ())))
