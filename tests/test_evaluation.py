"""Scores and their text: the same for a classical run's metrics and a CNN's scores."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.evaluation import (
    classification_metrics,
    format_scores,
    save_confusion_png,
    score_predictions,
    select_subset,
)

NAMES = ("angry", "happy", "sad")
TRUE = np.array([0, 1, 2, 1, 1])
PROBA = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.1, 0.4], [0.3, 0.3, 0.4], [0, 1, 0]])


def test_scores_of_probabilities_are_those_of_their_arg_max():
    scores = score_predictions(TRUE, PROBA, NAMES)
    assert scores.pop("n") == len(TRUE)
    assert scores == classification_metrics(TRUE, PROBA.argmax(axis=1), NAMES)
    assert scores["accuracy"] == pytest.approx(3 / 5)
    assert scores["confusion_matrix"] == [[1, 0, 0], [0, 2, 1], [1, 0, 0]]


def test_scores_refuse_probabilities_of_another_shape():
    with pytest.raises(ValueError, match="proba must have shape"):
        score_predictions(TRUE, PROBA[:3], NAMES)


def test_one_text_for_decisions_and_probabilities():
    metrics = classification_metrics(TRUE, PROBA.argmax(axis=1), NAMES)  # as metrics.json
    text = format_scores(metrics, "a title")
    assert text == format_scores(score_predictions(TRUE, PROBA, NAMES), "a title")
    lines = text.splitlines()
    assert lines[0] == "a title"
    assert lines[1] == "accuracy 0.6000   macro-F1 0.4889   (5 images)"
    assert "confusion matrix (rows: true class, columns: predicted)" in lines
    assert any(line.split() == ["happy", "1.000", "0.667", "0.800", "3"] for line in lines)


def test_confusion_png(tmp_path):
    path = tmp_path / "confusion.png"
    save_confusion_png(classification_metrics(TRUE, PROBA.argmax(axis=1), NAMES), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_select_subset_refuses_an_unknown_part():
    with pytest.raises(ValueError, match="subset must be one of test, val, train, all"):
        select_subset(None, "holdout")


def test_macro_f1_averages_the_classes_present_and_marks_the_absent():
    # No "sad" face in the test set (as CK+ has no neutral ones), one predicted as sad.
    true = np.array([0, 0, 1, 1])
    pred = np.array([0, 2, 1, 1])
    scores = classification_metrics(true, pred, NAMES)
    f1_angry, f1_happy = 2 / 3, 1.0
    assert scores["macro_f1"] == pytest.approx((f1_angry + f1_happy) / 2)
    assert scores["per_class"]["sad"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "present": False
    }  # fmt: skip
    assert scores["per_class"]["angry"]["present"]
    text = format_scores(scores)
    assert "(4 images; macro-F1 over the 2 classes present)" in text
    assert "sad (absent)" in text and "angry (absent)" not in text
    full = classification_metrics(np.array([0, 1, 2]), np.array([0, 1, 2]), NAMES)
    assert full["macro_f1"] == 1.0 and "absent" not in format_scores(full)
