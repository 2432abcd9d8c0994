"""Walking the layers of nested Keras models."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn.keras_utils import nested_layers  # noqa: E402


def test_nested_layers_reaches_inside_nested_models_depth_first():
    inner = keras.Sequential(
        [keras.layers.Dense(3, name="inner_a"), keras.layers.Dense(2, name="inner_b")],
        name="inner",
    )
    inputs = keras.Input(shape=(4,), name="x")
    outputs = keras.layers.Dense(1, name="head")(inner(keras.layers.Dense(4, name="stem")(inputs)))
    model = keras.Model(inputs, outputs)
    names = [layer.name for layer in nested_layers(model)]
    assert names == ["x", "stem", "inner", "inner_a", "inner_b", "head"]
