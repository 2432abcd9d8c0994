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
