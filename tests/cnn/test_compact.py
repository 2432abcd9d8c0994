"""The compact CNN's builder: shapes, parameter count, layout."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn.compact import (  # noqa: E402
    BLOCK_WIDTHS,
    build_compact,
    separable_residual_block,
)

#: Parameters of the default 48x48x1 model (stated in fer_classic.cnn.compact).
EXPECTED_PARAMS = 72_743


def test_output_shape_and_parameter_count():
    model = build_compact()
    assert model.input_shape == (None, 48, 48, 1)
    assert model.output_shape == (None, 7)
    assert model.count_params() == EXPECTED_PARAMS
    assert model.count_params() <= 100_000


def test_separable_residual_blocks_halve_the_image_side():
    model = build_compact()
    sides = [model.get_layer(f"block{i}_relu").output.shape[1:] for i in range(1, 5)]
    assert sides == [(24, 24, w) for w in BLOCK_WIDTHS[:1]] + [
        (12, 12, BLOCK_WIDTHS[1]),
        (6, 6, BLOCK_WIDTHS[2]),
        (3, 3, BLOCK_WIDTHS[3]),
    ]
    separable = [layer for layer in model.layers if isinstance(layer, keras.layers.SeparableConv2D)]
    assert len(separable) == 2 * len(BLOCK_WIDTHS)
    assert all(not layer.use_bias for layer in separable)
    normalized = [
        layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
    ]
    assert len(normalized) == 1 + 3 * len(BLOCK_WIDTHS)


def test_block_adds_a_strided_shortcut():
    inputs = keras.Input((10, 10, 4))
    block = keras.Model(inputs, separable_residual_block(inputs, 6, name="b"))
    assert block.output_shape == (None, 5, 5, 6)
    assert isinstance(block.get_layer("b_add"), keras.layers.Add)
    assert block.get_layer("b_shortcut").strides == (2, 2)


def test_three_channel_input_and_other_widths():
    assert build_compact((48, 48, 3)).input_shape == (None, 48, 48, 3)
    small = build_compact(block_widths=(8, 16))
    assert small.get_layer("block2_relu").output.shape[1:] == (12, 12, 16)
    assert small.count_params() < build_compact().count_params()


def test_softmax_output_sums_to_one():
    model = build_compact(dropout=0.0)
    x = np.random.default_rng(0).random((3, 48, 48, 1), dtype=np.float32)
    proba = np.asarray(model(x, training=False))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_shape": (48, 48, 2)}, "input_shape"),
        ({"num_classes": 1}, "num_classes"),
        ({"dropout": 1.0}, "dropout"),
        ({"block_widths": ()}, "block_widths"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_compact(**kwargs)
