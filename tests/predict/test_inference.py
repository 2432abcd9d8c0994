"""One interface over trained models: classical run directories, the default CNN."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import SVC

from fer_classic.classical.persistence import load_pipeline, save_pipeline
from fer_classic.data import CLASS_NAMES, make_synthetic
from fer_classic.errors import RunError
from fer_classic.inference import Classifier, load_model

from .conftest import write_run


def _faces(n: int = 5) -> np.ndarray:
    return make_synthetic(2, seed=3).test.images[:n]


def test_classical_run_gives_probabilities(knn_run):
    model = load_model(knn_run)
    assert isinstance(model, Classifier)
    assert model.probability_kind == "probability"
    assert model.class_names == CLASS_NAMES
    assert "knn" in model.name and "KNeighborsClassifier" in model.name
    faces = _faces()
    proba = model.predict_proba(faces)
    assert proba.dtype == np.float32 and proba.shape == (len(faces), 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(
        model.predict(faces), load_pipeline(knn_run / "model.skops").predict(faces)
    )
    assert load_model(knn_run / "model.skops").class_names == CLASS_NAMES


def test_svm_without_probabilities_gives_decision_scores(svm_run):
    model = load_model(svm_run)
    assert model.probability_kind == "decision_scores"
    assert not model.gives_probabilities
    faces = _faces()
    scores = model.predict_proba(faces)
    assert scores.shape == (len(faces), 7)
    pipeline = load_pipeline(svm_run / "model.skops")
    np.testing.assert_allclose(scores, pipeline.decision_function(faces), rtol=1e-5)
    np.testing.assert_array_equal(model.predict(faces), pipeline.predict(faces))


def test_calibrated_svm_says_calibrated(tmp_path):
    svm = CalibratedClassifierCV(SVC(), ensemble=False, cv=2)
    model = load_model(write_run(tmp_path / "svm-calibrated", svm))
    assert model.probability_kind == "calibrated"
    np.testing.assert_allclose(model.predict_proba(_faces()).sum(axis=1), 1.0, rtol=1e-5)


def test_class_names_come_from_the_manifest(tmp_path, knn_run):
    run = tmp_path / "renamed"
    run.mkdir()
    (run / "model.skops").write_bytes((knn_run / "model.skops").read_bytes())
    manifest = json.loads((knn_run / "manifest.json").read_text())
    manifest["data"]["class_names"] = [f"c{i}" for i in range(7)]
    (run / "manifest.json").write_text(json.dumps(manifest))
    assert load_model(run).class_names == tuple(f"c{i}" for i in range(7))


def test_empty_batch(knn_run):
    assert load_model(knn_run).predict_proba(np.empty((0, 48, 48), np.uint8)).shape == (0, 7)


def test_wrong_images_are_a_value_error(knn_run):
    model = load_model(knn_run)
    with pytest.raises(ValueError, match="uint8"):
        model.predict_proba(np.zeros((1, 48, 48), np.float32))
    with pytest.raises(ValueError, match="48, 48"):
        model.predict_proba(np.zeros((1, 64, 64), np.uint8))


def _manifest(run, kind):
    run.mkdir(parents=True, exist_ok=True)
    (run / "manifest.json").write_text(json.dumps({"kind": kind}))
    return run


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such file or directory"),
        (lambda p: p, "not a run directory"),
        (lambda p: _manifest(p / "report", "report"), "is not a model"),
        (lambda p: _manifest(p / "unfinished", "classical"), "without model.skops"),
    ],
    ids=["missing", "plain-folder", "other-kind", "unfinished"],
)
def test_not_a_model_is_a_run_error(tmp_path, make, message):
    with pytest.raises(RunError, match=message):
        load_model(make(tmp_path))


def test_broken_model_file_is_a_run_error(tmp_path):
    run = _manifest(tmp_path / "broken", "classical")
    (run / "model.skops").write_bytes(b"not a pickle")
    with pytest.raises(RunError, match=r"model\.skops: not a readable skops file"):
        load_model(run)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(RunError, match="not a model"):
        load_model(other)


def test_model_that_does_not_take_faces_is_a_run_error(tmp_path):
    run = _manifest(tmp_path / "flat", "classical")
    data = make_synthetic(2)
    save_pipeline(
        SVC().fit(data.train.images.reshape(len(data.train.images), -1), data.train.labels),
        run / "model.skops",
    )
    with pytest.raises(RunError, match="does not take uint8 48x48 images"):
        load_model(run)


def test_packaged_default_cnn():
    model = load_model(None)
    assert model.probability_kind == "softmax"
    assert model.class_names == CLASS_NAMES
    proba = model.predict_proba(_faces())
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-2)


class _FakeCNN:
    """Stands in for what fer_classic.cnn.load_cnn_model returns."""

    probability_kind = "softmax"

    def __init__(self, source):
        self.source = str(source)

    def predict_proba(self, images):
        return np.full((len(images), 7), 1 / 7, dtype=np.float32)


@pytest.mark.parametrize("kind", ["run", "tflite"])
def test_cnn_sources_go_to_the_cnn_loader(tmp_path, monkeypatch, kind):
    import fer_classic.cnn

    loaded = []

    def fake_loader(path):
        loaded.append(path)
        return _FakeCNN(path / "model.keras" if path.is_dir() else path)

    monkeypatch.setattr(fer_classic.cnn, "load_cnn_model", fake_loader)
    if kind == "run":
        source = _manifest(tmp_path / "cnn-run", "cnn")
    else:
        source = tmp_path / "model.tflite"
        source.write_bytes(b"")
    model = load_model(source)
    assert loaded == [source]
    assert model.probability_kind == "softmax" and model.class_names == CLASS_NAMES
    assert model.predict_proba(_faces(3)).shape == (3, 7)
    assert model.name.startswith(source.name)


def test_sklearn_predict_is_the_estimators_own_decision():
    """SVC decides by one-vs-one votes: predict must follow it, not the arg-max of scores."""
    import numpy as np
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import SVC

    from fer_classic.data import make_synthetic
    from fer_classic.inference import SklearnClassifier

    ds = make_synthetic(20, seed=3)
    flatten = FunctionTransformer(lambda x: x.reshape(len(x), -1) / 255.0)
    model = make_pipeline(flatten, SVC(C=1.0)).fit(ds.train.images, ds.train.labels)
    classifier = SklearnClassifier(model)
    expected = model.predict(ds.test.images)
    np.testing.assert_array_equal(classifier.predict(ds.test.images), expected)


class _LeftDetector(Classifier):
    """Scores that say how bright the left half of each face is: not mirror-symmetric."""

    name, source, class_names, probability_kind = "left", "test", ("left", "right"), "softmax"

    def _scores(self, images):
        left = images[:, :, :24].mean(axis=(1, 2)) / 255
        return np.stack([left, 1 - left], axis=1)


def test_flip_tta_averages_the_face_and_its_mirror_image():
    from fer_classic.inference import with_tta

    faces = _faces()
    plain = _LeftDetector()
    flipped = with_tta(plain, "flip")
    expected = (plain.predict_proba(faces) + plain.predict_proba(faces[:, :, ::-1])) / 2
    np.testing.assert_allclose(flipped.predict_proba(faces), expected, rtol=1e-6)
    assert not np.allclose(flipped.predict_proba(faces), plain.predict_proba(faces))
    assert flipped.name == "left + flip TTA" and flipped.describe()["tta"] == "flip"
    assert with_tta(plain, None) is plain
    with pytest.raises(ValueError, match="unknown tta 'crops'; valid: flip"):
        with_tta(plain, "crops")
