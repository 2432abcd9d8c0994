"""What a loaded model says it is, and the model files a run directory offers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from fer_classic import files, runs
from fer_classic.errors import RunError
from fer_classic.features import HogFeatures
from fer_classic.inference import SklearnClassifier, _describe_cnn, run_models, with_tta


@pytest.fixture(scope="module")
def faces():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(28, 48, 48), dtype=np.uint8)
    return images, np.repeat(np.arange(7), 4)


def test_a_pipeline_describes_its_features_and_classifier(faces):
    pipeline = make_pipeline(HogFeatures(), StandardScaler(), SVC(C=10.0)).fit(*faces)
    model = SklearnClassifier(pipeline)
    assert model.description.startswith("HogFeatures(")
    assert model.description.endswith(" + StandardScaler() + SVC(C=10.0)")
    assert model.summary == "hog / SVC"
    assert "support vectors x" in model.stored and model.stored.endswith(" values)")
    assert model.parameters > 0


def test_an_estimator_alone_is_named_by_its_class(faces):
    images, labels = faces
    model = SklearnClassifier(
        KNeighborsClassifier(n_neighbors=3).fit(images.reshape(28, -1), labels)
    )
    assert model.description == "KNeighborsClassifier(n_neighbors=3)"
    assert model.summary == "KNeighborsClassifier"
    assert model.parameters == 28 * 48 * 48 + 28


def test_test_time_augmentation_keeps_the_description(faces):
    model = SklearnClassifier(make_pipeline(HogFeatures(), SVC()).fit(*faces))
    flipped = with_tta(model, "flip")
    assert (flipped.description, flipped.summary) == (model.description, model.summary)
    assert (flipped.parameters, flipped.stored) == (model.parameters, model.stored)


def test_a_cnn_is_described_by_its_architecture_input_and_epochs():
    config = {"architecture": "net", "channels": 3, "epochs": 150, "init_from": "sha"}
    assert _describe_cnn(config, {"epochs_done": 114}) == (
        "net (3 input channel(s), 114 of 150 epochs, fine-tuned from a trained run)"
    )
    assert _describe_cnn({"architecture": "net", "epochs": 5}, {"epochs_done": 5}) == (
        "net (5 epochs)"
    )
    assert _describe_cnn({"channels": 1}, {}) == "CNN (1 input channel(s))"
    adjusted = {"epochs_done": 5, "logit_adjustment": {"tau": 0.25}}
    assert _describe_cnn({"architecture": "net", "epochs": 5}, adjusted) == (
        "net (5 epochs, logit-adjusted, tau 0.25)"
    )
    unadjusted = {"epochs_done": 5, "logit_adjustment": {"tau": 0.0}}
    assert _describe_cnn({"architecture": "net", "epochs": 5}, unadjusted) == "net (5 epochs)"


def _run_dir(path, kind, names):
    path.mkdir()
    files.write_json_atomic(path / runs.MANIFEST, {"kind": kind})
    for name in names:
        (path / name).write_bytes(b"model")
    return path


def test_a_classical_run_offers_its_pipeline(tmp_path):
    run = _run_dir(tmp_path / "knn", "classical", [runs.CLASSICAL_MODEL])
    models, missing = run_models(run)
    assert [(m.path, m.label, m.variant, m.exported_from) for m in models] == [
        (run / runs.CLASSICAL_MODEL, "", "scikit-learn (skops)", None)
    ]
    assert missing == []
    legacy = _run_dir(tmp_path / "old", "classical", [runs.LEGACY_CLASSICAL_MODEL])
    assert [m.variant for m in run_models(legacy)[0]] == ["scikit-learn (joblib)"]


def test_a_cnn_run_offers_its_checkpoint_then_its_exports(tmp_path):
    int8 = runs.TFLITE_MODELS["int8"]
    run = _run_dir(tmp_path / "cnn", "cnn", [runs.CNN_MODEL, *runs.TFLITE_MODELS.values()])
    models, missing = run_models(run)
    assert [(m.path.name, m.label, m.variant, m.exported_from) for m in models] == [
        (runs.CNN_MODEL, "Keras", "Keras float32", None),
        (runs.TFLITE_MODELS["float32"], "TFLite float32", "TFLite float32", runs.CNN_MODEL),
        (int8, "TFLite int8", "TFLite int8", runs.CNN_MODEL),
    ]
    assert missing == []
    (run / int8).unlink()
    models, missing = run_models(run)
    assert [m.label for m in models] == ["Keras", "TFLite float32"]
    assert missing == [f"{run}: no {int8} (TFLite export not done?)"]


def test_only_runs_of_a_model_kind_offer_models(tmp_path):
    with pytest.raises(RunError, match="not a run directory"):
        run_models(tmp_path)
    other = _run_dir(tmp_path / "other", "notes", [])
    with pytest.raises(RunError, match="kind 'notes' is not a model"):
        run_models(other)
