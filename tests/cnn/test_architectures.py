"""Architectures by name: the registry, each architecture's recipe, the configuration."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.cnn import CNNConfig
from fer_classic.cnn.architectures import (
    ARCHITECTURES,
    Architecture,
    build_network,
    get_architecture,
    register_architecture,
)

keras = pytest.importorskip("keras")


def test_both_architectures_are_registered_with_distinct_versions():
    assert {"squeezenet", "compact"} <= set(ARCHITECTURES)
    versions = [a.version for a in ARCHITECTURES.values()]
    assert len(set(versions)) == len(versions)


def test_unknown_architecture_names_those_that_exist():
    with pytest.raises(ValueError, match=r"unknown architecture 'nosuch'; known: .*compact"):
        get_architecture("nosuch")
    with pytest.raises(ValueError, match="nosuch"):
        CNNConfig(arch="nosuch").validate()


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="registered already"):
        register_architecture(Architecture("compact", "x", ".compact:build_compact"))


def test_recipe_of_an_architecture_with_changes_on_top():
    compact = CNNConfig.for_architecture("compact", epochs=5)
    assert (compact.arch, compact.channels, compact.epochs) == ("compact", 1, 5)
    assert compact.label_smoothing == get_architecture("compact").recipe["label_smoothing"]
    assert CNNConfig.for_architecture("squeezenet") == CNNConfig()
    assert compact.architecture_version == "compact-fer-v1"


def test_build_network_follows_the_configuration():
    net = build_network(CNNConfig.for_architecture("compact"), num_classes=5)
    assert net.name == "compact"
    assert net.input_shape == (None, 48, 48, 1) and net.output_shape == (None, 5)
    squeezenet = build_network(CNNConfig(channels=1, dropout=0.0))
    assert squeezenet.name == "squeezenet" and squeezenet.input_shape == (None, 48, 48, 1)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in squeezenet.layers)


def test_input_size_resizes_the_face_inside_the_network_at_the_same_parameters():
    config = CNNConfig.for_architecture("compact")
    plain = build_network(config)
    net = build_network(CNNConfig.for_architecture("compact", input_size=64))
    assert net.name == "compact" and net.input_shape == (None, 48, 48, 1)
    assert net.get_layer("resize").output.shape == (None, 64, 64, 1)
    assert net.count_params() == plain.count_params()
    faces = np.random.default_rng(0).random((2, 48, 48, 1), dtype=np.float32)
    resized = keras.ops.convert_to_numpy(net.get_layer("resize")(faces))
    expected = keras.ops.convert_to_numpy(keras.ops.image.resize(faces, (64, 64)))
    np.testing.assert_allclose(resized, expected, atol=1e-6)
    assert not any(layer.name == "resize" for layer in plain.layers)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"input_size": 16}, r"input_size must be in \[32, 128\], got 16"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of adam, adamw, sgd"),
        ({"weight_decay": 1e-4}, "0 with optimizer adam"),
        ({"optimizer": "sgd", "weight_decay": -1.0}, "weight_decay must be non-negative"),
        ({"label_smoothing": 1.0}, r"label_smoothing must be in \[0, 1\)"),
    ],
)
def test_bad_recipe_values_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        CNNConfig(**changes).validate()


def test_stored_configurations_get_the_fields_they_lack_at_their_defaults():
    old = {k: v for k, v in CNNConfig().to_dict().items() if k not in ("arch", "label_smoothing")}
    old["architecture"] = "squeezenet-fer-v1"
    upgraded = CNNConfig.upgrade_stored(old)
    assert upgraded == {**CNNConfig().to_dict(), "architecture": "squeezenet-fer-v1"}
