"""The packaged default model on FER-2013's PrivateTest, as its model card states."""

from __future__ import annotations

import re

import pytest

from fer_classic.cnn import default_model_path, evaluate_model, load_cnn_model
from fer_classic.data import load_dataset


def _card_accuracy() -> float:
    """PrivateTest accuracy of the packaged int8 model, as its MODEL_CARD.md states it."""
    card = (default_model_path().parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    match = re.search(r"\(this file\) \|[^|]*\| ([0-9.]+) %", card)
    assert match, "MODEL_CARD.md has no score row for the packaged file"
    return float(match.group(1)) / 100


@pytest.mark.real_data
def test_packaged_int8_model_scores_what_its_card_says(fer2013_path):
    dataset = load_dataset(fer2013_path, split="canonical")
    scores = evaluate_model(load_cnn_model(), dataset, "test")
    assert scores["n"] == 3589
    assert scores["accuracy"] == pytest.approx(_card_accuracy(), abs=0.003)
