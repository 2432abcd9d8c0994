"""The packaged default model on FER-2013's PrivateTest, as its model card states."""

from __future__ import annotations

import pytest

from fer_classic.cnn import evaluate_model, load_cnn_model
from fer_classic.data import load_dataset

#: PrivateTest accuracy of fer_squeezenet_int8.tflite written in its MODEL_CARD.md.
CARD_ACCURACY = 0.5868


@pytest.mark.real_data
def test_packaged_int8_model_scores_what_its_card_says(fer2013_path):
    dataset = load_dataset(fer2013_path, split="canonical")
    scores = evaluate_model(load_cnn_model(), dataset, "test")
    assert scores["n"] == 3589
    assert scores["accuracy"] == pytest.approx(CARD_ACCURACY, abs=0.003)
