"""The packaged models on FER-2013, as their index and model cards state."""

from __future__ import annotations

import re

import pytest

from fer_classic.cnn import evaluate_model
from fer_classic.cnn.packaged import packaged_models
from fer_classic.data import load_dataset
from fer_classic.inference import load_model


def _card_accuracy(card: str) -> float:
    """PrivateTest accuracy of the packaged int8 file, as its model card states it."""
    match = re.search(r"\(this file\)[^|]*\|[^|]*\| ([0-9.]+) %", card)
    assert match, "the model card has no score row for the packaged file"
    return float(match.group(1)) / 100


@pytest.fixture(scope="module")
def fer2013(fer2013_path):
    return load_dataset(fer2013_path, split="canonical")


@pytest.mark.real_data
@pytest.mark.parametrize("name", list(packaged_models()))
def test_packaged_int8_model_scores_what_its_index_and_card_say(name, fer2013):
    packaged = packaged_models()[name]
    model = load_model(name)  # with the logit adjustment its index may hold
    val = evaluate_model(model, fer2013, "val")
    test = evaluate_model(model, fer2013, "test")
    assert (val["n"], test["n"]) == (3589, 3589)
    assert val["accuracy"] == pytest.approx(packaged.val_accuracy, abs=1e-4)
    assert test["accuracy"] == pytest.approx(packaged.test_accuracy, abs=1e-4)
    card = packaged.card.read_text(encoding="utf-8")
    assert test["accuracy"] == pytest.approx(_card_accuracy(card), abs=1e-4)
