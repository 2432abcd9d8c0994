"""Augmentation layers: random in training, identity at inference, saved and reloaded."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn.augment import build_augmenter  # noqa: E402
from fer_classic.cnn.config import CNNConfig  # noqa: E402
from fer_classic.cnn.preprocess import to_model_input  # noqa: E402
from fer_classic.cnn.train import build_training_model  # noqa: E402


def test_augmentation_changes_training_images_only():
    x = np.random.default_rng(0).random((4, 48, 48, 3), dtype=np.float32)
    augmenter = build_augmenter(seed=1)
    trained = keras.ops.convert_to_numpy(augmenter(x, training=True))
    assert trained.shape == x.shape and not np.allclose(trained, x)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(augmenter(x, training=False)), x)


def test_augmentation_transforms_vary_independently():
    # One seed shared by the layers made every flipped image rotate the same way.
    # Within a layer Keras may tie draws (RandomShear gives both axes one sign), so
    # only draws of different layers are compared.
    x = np.zeros((512, 48, 48, 1), dtype=np.float32)
    layers = {layer.name: layer for layer in build_augmenter(seed=0).layers}
    keys = {
        "flip": ["flips"],
        "rotation": ["angle"],
        "shift": ["translations"],  # vertical, horizontal
        "shear": ["shear_factor"],  # horizontal, vertical
        "zoom": ["height_zoom", "width_zoom"],
    }
    columns, owners = [], []
    for name, names in keys.items():
        transform = layers[name].get_random_transformation(x, training=True)
        for key in names:
            draw = keras.ops.convert_to_numpy(transform[key]).reshape(len(x), -1)
            columns.extend(draw.T.astype(np.float64))
            owners.extend([name] * draw.shape[1])
    assert len(columns) == 8
    owners = np.array(owners)
    across_layers = np.triu(owners[:, None] != owners[None, :])
    correlation = np.corrcoef(columns)[across_layers]
    assert np.all(np.abs(correlation) < 0.2), correlation.round(2)


def test_training_model_with_augmentation_survives_a_save_and_load(tmp_path):
    # Keras saves a float RandomShear factor as a range its constructor refuses;
    # the augmenter must avoid that, or no augmented run could resume.
    model = build_training_model(CNNConfig(random_erasing=0.3), steps_per_epoch=3)
    model.save(tmp_path / "checkpoint.keras")
    loaded = keras.saving.load_model(tmp_path / "checkpoint.keras")
    assert loaded.get_layer("squeezenet").count_params() == 1_332_615
    shear = loaded.get_layer("augmentation").get_layer("shear")
    assert tuple(shear.x_factor) == (0.0, 0.1)
    erasing = loaded.get_layer("augmentation").get_layer("erasing")
    assert tuple(erasing.factor) == pytest.approx((0.3, 0.3))


def test_to_model_input_scales_and_repeats_the_grey_channel():
    images = np.array([[[0, 255] * 24] * 48], dtype=np.uint8)
    x3 = to_model_input(images, 3)
    assert x3.dtype == np.float32 and x3.shape == (1, 48, 48, 3)
    assert x3.min() == 0.0 and x3.max() == 1.0
    np.testing.assert_array_equal(x3[..., 0], x3[..., 2])
    assert to_model_input(images, 1).shape == (1, 48, 48, 1)
    with pytest.raises(ValueError, match="channels"):
        to_model_input(images, 2)


def test_strengths_choose_the_transforms():
    names = [layer.name for layer in build_augmenter(shear=0.0, zoom=0.0).layers]
    assert names == ["flip", "rotation", "shift"]
    assert [layer.name for layer in build_augmenter(random_erasing=0.5).layers][-1] == "erasing"
    bare = build_augmenter(rotation_degrees=0, shift=0, shear=0, zoom=0, horizontal_flip=False)
    assert bare.layers == []


def test_random_erasing_replaces_a_rectangle_of_every_image_when_certain():
    images = np.full((16, 48, 48, 1), 0.5, dtype=np.float32)
    only_erasing = {"rotation_degrees": 0, "shift": 0, "shear": 0, "zoom": 0}
    erase = build_augmenter(**only_erasing, horizontal_flip=False, random_erasing=1.0, seed=0)
    out = np.asarray(erase(images, training=True))
    changed = (out != 0.5).reshape(16, -1).mean(axis=1)
    assert np.all(changed > 0) and np.all(changed < 0.5)
    np.testing.assert_array_equal(np.asarray(erase(images, training=False)), images)


def test_config_passes_the_strengths_to_the_augmenter():
    config = CNNConfig(rotation_degrees=5.0, shear=0.0, random_erasing=0.25)
    model = build_training_model(config, steps_per_epoch=3)
    augmenter = model.get_layer("augmentation")
    assert [layer.name for layer in augmenter.layers] == [
        "flip",
        "rotation",
        "shift",
        "zoom",
        "erasing",
    ]
    assert augmenter.get_layer("rotation").factor == pytest.approx((-5 / 360, 5 / 360))
    with pytest.raises(ValueError, match="rotation_degrees must not be negative"):
        CNNConfig(rotation_degrees=-1.0).validate()
    with pytest.raises(ValueError, match=r"random_erasing must be in \[0, 1\]"):
        CNNConfig(random_erasing=1.5).validate()
