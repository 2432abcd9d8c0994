"""The builder: shapes, parameter count, and the thesis's layers."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn.squeezenet import FIRE_SIZES, build_squeezenet, fire_module  # noqa: E402

#: Parameters of the default 48x48x3 model; the thesis reports 1,377,655 (see the
#: module docstring of fer_classic.cnn.squeezenet for the 3.3 % gap).
EXPECTED_PARAMS = 1_332_615


def test_output_shape_and_parameter_count():
    model = build_squeezenet()
    assert model.input_shape == (None, 48, 48, 3)
    assert model.output_shape == (None, 7)
    assert model.count_params() == EXPECTED_PARAMS
    assert model.count_params() <= 1_400_000


def test_grey_input_option_changes_only_the_first_convolution():
    grey = build_squeezenet((48, 48, 1))
    assert grey.input_shape == (None, 48, 48, 1)
    # conv1 has 7 * 7 * 96 weights per input channel; two channels fewer.
    assert build_squeezenet().count_params() - grey.count_params() == 2 * 7 * 7 * 96


def test_eleven_fire_modules_with_bn_dropout_and_bypass_where_channels_match():
    model = build_squeezenet()
    names = [layer.name for layer in model.layers]
    assert len(FIRE_SIZES) == 11
    for i in range(1, 12):
        assert f"fire{i}_squeeze_bn" in names
        assert f"fire{i}_squeeze_dropout" in names
    bypassed = {n.split("_")[0] for n in names if n.endswith("_bypass")}
    assert bypassed == {"fire2", "fire4", "fire6", "fire8", "fire9", "fire10", "fire11"}
    pools = [layer.name for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert pools == ["pool1", "pool_fire3", "pool_fire7", "pool_fire9"]
    assert model.get_layer("conv_final").filters == 7
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert {layer.rate for layer in dropouts} == {0.2}


def test_softmax_output_sums_to_one():
    model = build_squeezenet()
    x = np.random.default_rng(0).random((2, 48, 48, 3), dtype=np.float32)
    y = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)
    assert (y >= 0).all()


def test_fire_module_bypass_only_when_channels_match():
    x = keras.Input((12, 12, 128))
    same = keras.Model(x, fire_module(x, 16, 64, name="f"))
    assert "f_bypass" in [layer.name for layer in same.layers]
    wider = keras.Model(x, fire_module(x, 32, 128, name="g"))
    assert wider.output_shape == (None, 12, 12, 256)
    assert "g_bypass" not in [layer.name for layer in wider.layers]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_shape": (48, 48, 2)}, "input_shape"),
        ({"num_classes": 1}, "num_classes"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_squeezenet(**kwargs)
