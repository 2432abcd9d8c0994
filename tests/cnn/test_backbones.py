"""Keras's MobileNet and ResNet-50 as train-cnn architectures: build, freeze, weights, train."""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fer_classic.cli.main import main  # noqa: E402
from fer_classic.cnn import CNNConfig, load_cnn_model  # noqa: E402
from fer_classic.cnn.architectures import build_network  # noqa: E402
from fer_classic.cnn.backbones import IMAGENET_FILES, build_mobilenet, build_resnet50  # noqa: E402
from fer_classic.cnn.train import train_cnn  # noqa: E402
from fer_classic.errors import RunError  # noqa: E402
from fer_classic.runs import HISTORY  # noqa: E402

#: MobileNet on 32x32 faces, shrunk for CI: two epochs, no augmentation.
TINY_MOBILENET = CNNConfig.for_architecture(
    "mobilenet",
    input_size=32,
    epochs=2,
    batch_size=16,
    lr_schedule="constant",
    warmup_epochs=0,
    augment=False,
)


def _backbone(model: keras.Model) -> keras.Model:
    return next(layer for layer in model.layers if isinstance(layer, keras.Model))


def test_builders_take_grey_faces_and_give_probabilities():
    for build, backbone_params in ((build_mobilenet, 3_228_864), (build_resnet50, 23_587_712)):
        model = build((32, 32, 1), 7)
        assert _backbone(model).count_params() == backbone_params
        out = model.predict(np.random.default_rng(0).random((2, 32, 32, 1)), verbose=0)
        assert out.shape == (2, 7)
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_recipe_resizes_the_face_for_the_backbone():
    config = CNNConfig.for_architecture("mobilenet").validate()
    assert (config.input_size, config.channels, config.weights) == (96, 1, "none")
    model = build_network(config)
    assert model.input_shape == (None, 48, 48, 1)
    assert model.output_shape == (None, 7)


def test_trainable_layers_freezes_all_but_the_last(tmp_path):
    model = build_mobilenet((32, 32, 3), 7, trainable_layers=4)
    layers = _backbone(model).layers
    assert [layer.trainable for layer in layers[-4:]] == [True] * 4
    assert not any(layer.trainable for layer in layers[:-4])
    assert model.get_layer("classifier").trainable
    with pytest.raises(ValueError, match="trainable_layers must be -1"):
        CNNConfig.for_architecture("mobilenet", trainable_layers=-2).validate()


def test_weights_file_starts_the_backbone(tmp_path):
    source = _backbone(build_mobilenet((32, 32, 3), 7))
    path = tmp_path / "mobilenet.weights.h5"
    source.save_weights(path)
    loaded = _backbone(build_mobilenet((32, 32, 3), 7, weights=str(path)))
    for a, b in zip(source.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(RunError, match="no such weights file"):
        build_mobilenet((32, 32, 3), 7, weights=str(tmp_path / "missing.weights.h5"))
    with pytest.raises(RunError, match="not the weights of a resnet50 backbone"):
        build_resnet50((32, 32, 3), 7, weights=str(path))


def test_imagenet_offline_is_one_line_naming_the_file(monkeypatch, tmp_path, capsys):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure: no network")  # what keras.utils.get_file raises

    # keras.applications fetch through this module's function, whatever the network.
    from keras.src.utils import file_utils

    monkeypatch.setattr(file_utils, "get_file", offline)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(RunError, match=IMAGENET_FILES["mobilenet"]):
        build_mobilenet((32, 32, 3), 7, weights="imagenet")
    args = ["train-cnn", "--arch", "mobilenet", "--weights", "imagenet", "--epochs", "1"]
    args += ["--warmup-epochs", "0"]
    assert main([*args, "--input-size", "32", "--out", str(tmp_path / "run")]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(errors) == 1 and str(tmp_path / "keras" / "models") in errors[0]
    assert errors[0].startswith("fer-classic: error: --weights imagenet: Keras could not fetch")


def test_weights_apply_to_backbones_only():
    with pytest.raises(ValueError, match="apply to mobilenet and resnet50, not compact"):
        CNNConfig.for_architecture("compact", weights="imagenet").validate()


@pytest.mark.slow
def test_a_backbone_run_trains_resumes_and_exports(tiny_dataset, tmp_path):
    run_dir = tmp_path / "mobilenet"
    first = train_cnn(tiny_dataset, run_dir, TINY_MOBILENET, time_limit=1e-6, verbose=False)
    assert (first.epochs_done, first.finished) == (1, False)
    result = train_cnn(
        tiny_dataset, run_dir, TINY_MOBILENET, resume=True, export=True, verbose=False
    )
    assert (result.epochs_done, result.finished) == (2, True)
    assert len((run_dir / HISTORY).read_text().splitlines()) == 1 + 2
    stored = json.loads((run_dir / "config.json").read_text())
    assert (stored["architecture"], stored["weights"], stored["input_size"]) == (
        "mobilenet-v1-keras",
        "none",
        32,
    )
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["learning"]["initial"]["loss"] > 0
    faces = tiny_dataset.test.images
    keras_proba = load_cnn_model(run_dir).predict_proba(faces)
    float_proba = load_cnn_model(run_dir, variant="float32").predict_proba(faces)
    np.testing.assert_allclose(float_proba, keras_proba, atol=1e-4)
