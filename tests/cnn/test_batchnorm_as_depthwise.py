"""The int8 export's rewrite of unfoldable batch normalizations as depthwise convolutions."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from fer_classic.cnn.export import batchnorm_as_depthwise  # noqa: E402
from fer_classic.cnn.squeezenet import build_squeezenet  # noqa: E402


def _randomize_batchnorms(model: keras.Model, seed: int = 0) -> None:
    """Give every batch normalization non-trivial statistics, as training would."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            n = layer.moving_mean.shape[0]
            values = {
                "gamma": rng.uniform(0.2, 3.0, n),
                "beta": rng.normal(0.0, 0.5, n),
                "moving_mean": rng.uniform(0.0, 2.0, n),
                "moving_variance": rng.uniform(0.05, 4.0, n),
            }
            layer.set_weights(
                [values[w.name].astype("float32") for w in layer.weights if w.name in values]
            )


def _count(model: keras.Model, kind: type) -> int:
    return sum(isinstance(layer, kind) for layer in model.layers)


def _images(n: int = 4, channels: int = 3) -> np.ndarray:
    return np.random.default_rng(1).random((n, 48, 48, channels), dtype=np.float32)


def test_post_relu_batchnorms_become_depthwise_convolutions_with_the_same_outputs():
    model = build_squeezenet(squeeze_order="relu_bn")
    _randomize_batchnorms(model)
    rewritten = batchnorm_as_depthwise(model)
    assert _count(model, layers.BatchNormalization) == 11
    assert _count(rewritten, layers.BatchNormalization) == 0
    assert _count(rewritten, layers.DepthwiseConv2D) == 11
    x = _images()
    np.testing.assert_allclose(
        rewritten.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-4, atol=1e-6
    )
    # The original is untouched.
    assert _count(model, layers.BatchNormalization) == 11


def test_batchnorms_behind_a_linear_convolution_are_left_for_the_converter_to_fold():
    model = build_squeezenet(squeeze_order="bn_relu")
    assert batchnorm_as_depthwise(model) is model


def test_batchnorm_without_scale_or_center_and_a_model_without_any():
    inputs = keras.Input((8, 8, 2))
    x = layers.ReLU()(inputs)
    x = layers.BatchNormalization(center=False, name="no_beta")(x)
    x = layers.BatchNormalization(scale=False, name="no_gamma")(x)
    model = keras.Model(inputs, layers.GlobalAveragePooling2D()(x))
    model.get_layer("no_beta").set_weights(
        [np.array([2.0, 0.5], "float32"), np.array([1.0, -1.0], "float32"), np.ones(2, "float32")]
    )
    model.get_layer("no_gamma").set_weights(
        [np.array([0.3, -0.2], "float32"), np.zeros(2, "float32"), np.full(2, 4.0, "float32")]
    )
    rewritten = batchnorm_as_depthwise(model)
    assert _count(rewritten, layers.DepthwiseConv2D) == 2
    x = np.random.default_rng(2).normal(size=(3, 8, 8, 2)).astype("float32")
    np.testing.assert_allclose(
        rewritten.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    plain = keras.Model(inputs, layers.GlobalAveragePooling2D()(inputs))
    assert batchnorm_as_depthwise(plain) is plain


def test_int8_export_rewrites_and_float32_export_does_not(monkeypatch, tmp_path):
    pytest.importorskip("tensorflow")
    from fer_classic.cnn import export

    seen = []

    def spy(model):
        seen.append(model.name)
        return batchnorm_as_depthwise(model)

    monkeypatch.setattr(export, "batchnorm_as_depthwise", spy)
    inputs = keras.Input((48, 48, 1))
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    model = keras.Model(inputs, layers.Softmax()(layers.GlobalAveragePooling2D()(x)), name="m")
    faces = np.random.default_rng(0).integers(0, 256, (8, 48, 48), dtype=np.uint8)
    export.export_tflite(model, tmp_path / "f.tflite")
    assert seen == []
    export.export_tflite(
        model, tmp_path / "q.tflite", quantization="int8", representative_images=faces
    )
    assert seen == ["m"]
