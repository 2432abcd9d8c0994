"""Walking the layers of nested Keras models; counting their multiply-adds."""

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


def test_multiply_adds_count_every_kind_of_convolution_and_dense_layer():
    from fer_classic.cnn.keras_utils import multiply_adds

    inputs = keras.Input((8, 8, 2))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)  # 8*8*4 * 3*3*2 = 4608
    x = keras.layers.DepthwiseConv2D(3, padding="same")(x)  # 8*8*4 * 3*3 = 2304
    x = keras.layers.SeparableConv2D(6, 3, strides=2, padding="same")(x)  # 4*4*4*9 + 4*4*4*6
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(5)(x)  # 6*5
    model = keras.Model(inputs, outputs)
    assert multiply_adds(model) == 4608 + 2304 + (576 + 384) + 30


def test_architecture_summaries_state_the_built_sizes():
    from fer_classic.cnn import CNNConfig
    from fer_classic.cnn.architectures import ARCHITECTURES, build_network
    from fer_classic.cnn.keras_utils import multiply_adds

    for name, architecture in ARCHITECTURES.items():
        net = build_network(CNNConfig.for_architecture(name))
        params, macs = net.count_params(), multiply_adds(net)
        stated_params = f"{params / 1e6:.2f} M" if params >= 1e6 else f"{params / 1e3:.0f} k"
        assert f"{stated_params} parameters" in architecture.summary
        stated_macs = f"{macs / 1e6:.0f}" if macs >= 1e8 else f"{macs / 1e6:.1f}"
        assert f"{stated_macs} M multiply-adds" in architecture.summary
