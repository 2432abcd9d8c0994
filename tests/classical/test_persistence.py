"""Classical models on disk: skops rebuilds trusted types only; pickles need trust."""

from __future__ import annotations

import json
import pickle

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from fer_classic.classical.neighbors import KNNClassifier
from fer_classic.classical.persistence import (
    load_pipeline,
    model_path,
    save_pipeline,
    trusted_types,
)
from fer_classic.cli.main import main
from fer_classic.data import make_synthetic
from fer_classic.errors import RunError
from fer_classic.features import HogFeatures
from fer_classic.inference import load_model


class _Payload:
    """Unpickling this runs code: it writes ``marker`` (what an attack would do worse)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def crafted_run(tmp_path):
    """An old-style classical run whose model.joblib is a crafted pickle."""
    run = tmp_path / "handout"
    run.mkdir()
    marker = tmp_path / "ran"
    (run / "model.joblib").write_bytes(pickle.dumps(_Payload(str(marker))))
    (run / "manifest.json").write_text(json.dumps({"kind": "classical", "data": {}}))
    return run, marker


def test_a_crafted_pickle_is_not_run_without_trust(crafted_run, capsys):
    run, marker = crafted_run
    with pytest.raises(RunError, match=r"model\.joblib: is a pickle; .*--trust-pickle"):
        load_model(run)
    assert not marker.exists()
    assert main(["predict", "nothing.jpg", "--model", str(run)]) == 2
    assert main(["evaluate", str(run)]) == 2
    assert not marker.exists()
    assert "is a pickle" in capsys.readouterr().err
    # Trusted, the pickle is loaded, and its code runs: that is why trust is asked for.
    with pytest.raises(RunError):
        load_model(run, trust_pickle=True)  # what it rebuilds is no classifier
    assert marker.exists()


def test_a_fitted_pipeline_survives_a_save_and_load(tmp_path):
    data = make_synthetic(n_per_class=5)
    pipeline = make_pipeline(HogFeatures(), KNNClassifier(n_neighbors=1))
    pipeline.fit(data.train.images, data.train.labels)
    path = save_pipeline(pipeline, tmp_path / "model.skops")
    loaded = load_pipeline(path)
    assert (loaded.predict(data.test.images) == pipeline.predict(data.test.images)).all()
    assert model_path(tmp_path) == path
    assert "fer_classic.classical.neighbors.KNNClassifier" in trusted_types()


def test_a_skops_file_with_an_untrusted_function_is_refused(tmp_path):
    data = make_synthetic(n_per_class=5)
    pipeline = make_pipeline(FunctionTransformer(abs), KNNClassifier(n_neighbors=1))
    pipeline.fit(data.train.images.reshape(len(data.train.images), -1), data.train.labels)
    path = save_pipeline(pipeline, tmp_path / "model.skops")
    with pytest.raises(RunError, match=r"holds types fer-classic does not trust: builtins\.abs"):
        load_pipeline(path)


def test_a_run_without_a_model_file_is_unfinished(tmp_path):
    with pytest.raises(RunError, match=r"classical run without model\.skops"):
        model_path(tmp_path)
