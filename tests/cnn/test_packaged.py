"""The packaged CNNs by name; the default is the best by validation accuracy."""

from __future__ import annotations

import json

import pytest

from fer_classic.cnn import default_model_path
from fer_classic.cnn.packaged import INDEX, packaged_dir, packaged_model, packaged_models
from fer_classic.errors import RunError
from fer_classic.inference import load_model


def test_index_lists_existing_files_with_their_cards():
    models = packaged_models()
    assert "squeezenet" in models
    index = json.loads((packaged_dir() / INDEX).read_text())["models"]
    for name, model in models.items():
        assert model.path.is_file() and model.card.is_file(), name
        assert model.path.stat().st_size == index[name]["bytes"] <= 2 * 2**20
        assert 0 < model.val_accuracy < 1 and 0 < model.test_accuracy < 1


def test_default_is_the_best_by_validation_accuracy():
    best = max(packaged_models().values(), key=lambda m: m.val_accuracy)
    assert packaged_model() == best
    assert default_model_path() == best.path


def test_unknown_name_lists_the_packaged_models():
    with pytest.raises(
        RunError, match="no packaged model named 'nosuch'; packaged: compact, squeezenet"
    ):
        packaged_model("nosuch")


def test_models_load_by_name_and_say_which_they_are():
    for name in packaged_models():
        model = load_model(name)
        assert model.name.startswith(f"packaged {name} CNN")
    default = load_model(None)
    assert default.name.startswith(f"packaged {packaged_model().name} CNN")
    assert "default" in default.name


def test_a_path_named_like_a_packaged_model_is_ambiguous(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "squeezenet").mkdir()
    with pytest.raises(RunError, match=r"write \./squeezenet for the path"):
        load_model("squeezenet")
    with pytest.raises(RunError, match="not a run directory"):
        load_model("./squeezenet")


def _index_with(monkeypatch, tmp_path, adjustment):
    """A packaged index in ``tmp_path`` whose compact entry has ``adjustment``."""
    import shutil

    from fer_classic.cnn import packaged

    index = json.loads((packaged_dir() / INDEX).read_text())
    for entry in index["models"].values():
        shutil.copyfile(packaged_dir() / entry["file"], tmp_path / entry["file"])
        shutil.copyfile(packaged_dir() / entry["card"], tmp_path / entry["card"])
    index["models"]["compact"]["logit_adjustment"] = adjustment
    index["models"]["squeezenet"].pop("logit_adjustment", None)
    (tmp_path / INDEX).write_text(json.dumps(index))
    monkeypatch.setattr(packaged, "packaged_dir", lambda: tmp_path)
    packaged.packaged_models.cache_clear()


def test_a_packaged_logit_adjustment_applies_to_the_files_probabilities(tmp_path, monkeypatch):
    import numpy as np

    from fer_classic.cnn.logit_adjustment import adjust_probabilities
    from fer_classic.cnn.packaged import packaged_models as cached
    from fer_classic.data import make_synthetic

    faces = make_synthetic(n_per_class=2, seed=1).test.images
    raw = load_model(str(packaged_model("compact").path)).predict_proba(faces)
    prior = [0.4, 0.02, 0.1, 0.2, 0.1, 0.08, 0.1]
    _index_with(monkeypatch, tmp_path, {"tau": 1.0, "prior": prior, "chosen_on": "PublicTest"})
    try:
        model = load_model("compact")
        assert "logit-adjusted, tau 1" in model.description
        np.testing.assert_allclose(
            model.predict_proba(faces), adjust_probabilities(raw, np.array(prior), 1.0), atol=1e-6
        )
        plain = load_model("squeezenet")
        assert "logit-adjusted" not in plain.description
        np.testing.assert_array_equal(
            plain.predict_proba(faces),
            load_model(str(packaged_model("squeezenet").path)).predict_proba(faces),
        )
    finally:
        cached.cache_clear()


def test_a_bad_packaged_logit_adjustment_is_a_one_line_error(tmp_path, monkeypatch):
    from fer_classic.cnn.packaged import packaged_models as cached

    _index_with(monkeypatch, tmp_path, {"tau": -1, "prior": [0.5, 0.5]})
    try:
        with pytest.raises(RunError, match=r"cannot read the packaged models \(logit_adjustment"):
            packaged_model("compact")
    finally:
        cached.cache_clear()
