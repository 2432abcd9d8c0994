"""TFLite export against Keras, the predictor over every model file, the packaged model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fer_classic.cnn import default_model_path, load_cnn_model
from fer_classic.cnn.predictor import KerasCNN, TFLiteCNN
from fer_classic.errors import RunError

pytest.importorskip("keras")


@pytest.mark.slow
def test_float32_tflite_gives_the_same_top1_as_keras(trained_run, face_batch):
    keras_p = load_cnn_model(trained_run).predict_proba(face_batch)
    tflite_p = load_cnn_model(trained_run, variant="float32").predict_proba(face_batch)
    assert tflite_p.dtype == np.float32 and tflite_p.shape == (len(face_batch), 7)
    np.testing.assert_allclose(tflite_p, keras_p, atol=1e-4)
    np.testing.assert_array_equal(tflite_p.argmax(1), keras_p.argmax(1))


@pytest.mark.slow
def test_int8_tflite_is_close_to_keras(trained_run, face_batch):
    model = load_cnn_model(trained_run, variant="int8")
    assert isinstance(model, TFLiteCNN) and model.quantized
    keras_p = load_cnn_model(trained_run).predict_proba(face_batch)
    int8_p = model.predict_proba(face_batch)
    np.testing.assert_allclose(int8_p.sum(axis=1), 1.0, rtol=1e-5)
    assert np.abs(int8_p - keras_p).mean() < 0.03
    assert (int8_p.argmax(1) == keras_p.argmax(1)).mean() >= 0.75


@pytest.mark.slow
def test_export_sizes_and_scores_are_recorded(trained_run):
    tflite = json.loads((trained_run / "metrics.json").read_text())["tflite"]
    for quantization in ("float32", "int8"):
        entry = tflite[quantization]
        assert (trained_run / entry["file"]).stat().st_size == entry["bytes"]
        assert 0.0 <= entry["accuracy"] <= 1.0
    # int8 weights take a quarter of float32's bytes, plus the graph.
    assert tflite["int8"]["bytes"] < 0.35 * tflite["float32"]["bytes"]


@pytest.mark.slow
def test_a_keras_file_loads_directly(trained_run, face_batch):
    model = load_cnn_model(trained_run / "model.keras")
    assert isinstance(model, KerasCNN) and model.channels == 3
    assert model.predict_proba(face_batch[:3]).shape == (3, 7)


def test_packaged_default_model_predicts_without_training(face_batch):
    path = default_model_path()
    assert path.exists() and path.stat().st_size <= 2 * 2**20
    model = load_cnn_model()
    proba = model.predict_proba(face_batch)
    assert proba.shape == (len(face_batch), 7) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert model.predict_proba(face_batch[:0]).shape == (0, 7)


def test_predict_proba_checks_its_input():
    model = load_cnn_model()
    with pytest.raises(ValueError, match="uint8"):
        model.predict_proba(np.zeros((2, 48, 48), dtype=np.float32))
    with pytest.raises(ValueError, match="48, 48"):
        model.predict_proba(np.zeros((2, 32, 32), dtype=np.uint8))


def test_missing_or_foreign_model_files_are_clear_errors(tmp_path):
    with pytest.raises(RunError, match="no such file"):
        load_cnn_model(tmp_path / "nothing.tflite")
    with pytest.raises(RunError, match=r"no model\.keras"):
        load_cnn_model(tmp_path)
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(RunError, match="not a TensorFlow Lite model"):
        load_cnn_model(bad)
    other = tmp_path / "model.onnx"
    other.write_bytes(b"\x00")
    with pytest.raises(RunError, match="not a CNN model"):
        load_cnn_model(other)


def test_a_keras_model_of_other_inputs_or_classes_is_refused(tmp_path):
    keras = pytest.importorskip("keras")
    inputs = keras.Input((48, 48, 3))
    wrong = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    wrong.save(tmp_path / "wrong.keras")
    with pytest.raises(RunError, match="not a facial-expression CNN"):
        load_cnn_model(tmp_path / "wrong.keras")


def test_a_truncated_keras_file_is_named_as_such(trained_run, tmp_path):
    whole = (trained_run / "model.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(RunError, match=r"cut.keras: not a .keras archive \(truncated"):
        load_cnn_model(tmp_path / "cut.keras")


def test_loading_a_tflite_model_prints_nothing(capfd, face_batch):
    capfd.readouterr()
    model = load_cnn_model()
    model.predict_proba(face_batch[:2])
    captured = capfd.readouterr()
    assert "XNNPACK" not in captured.err and captured.out == ""


def test_int8_export_prints_nothing(capfd, tmp_path, face_batch):
    import keras

    from fer_classic.cnn.export import export_tflite

    inputs = keras.Input((48, 48, 1))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(7, activation="softmax")(x))
    capfd.readouterr()
    export_tflite(
        model, tmp_path / "m.tflite", quantization="int8", representative_images=face_batch
    )
    captured = capfd.readouterr()
    assert "fully_quantize" not in captured.err and captured.out == ""
