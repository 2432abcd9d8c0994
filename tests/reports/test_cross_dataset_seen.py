"""Cross-dataset scores on images a model was fitted or chosen on are marked as such."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
from sklearn.neighbors import KNeighborsClassifier

from fer_classic.data import CLASS_NAMES, load_dataset, make_synthetic
from fer_classic.reports import compare
from fer_classic.runs import METRICS

from .conftest import write_classical_run


@pytest.fixture(scope="module")
def faces_folder(tmp_path_factory) -> Path:
    """Synthetic faces as a class folder: a data set with a path, split at random."""
    root = tmp_path_factory.mktemp("faces")
    drawn = make_synthetic(12, seed=7)
    for split in drawn.splits:
        for i, (image, label) in enumerate(zip(split.images, split.labels, strict=True)):
            (root / CLASS_NAMES[label]).mkdir(exist_ok=True)
            cv2.imwrite(str(root / CLASS_NAMES[label] / f"{split.name}{i}.png"), image)
    return root


@pytest.fixture(scope="module")
def report(tmp_path_factory, faces_folder):
    root = tmp_path_factory.mktemp("runs")
    dataset = load_dataset(faces_folder)
    selected = write_classical_run(root / "refit-train", KNeighborsClassifier(3), dataset)
    refitted = write_classical_run(root / "refit-train-val", KNeighborsClassifier(3), dataset)
    metrics = json.loads((refitted / METRICS).read_text())
    (refitted / METRICS).write_text(json.dumps({**metrics, "refit_on": "train+val"}))
    also_on = [f"{faces_folder}:val", f"{faces_folder}:test", str(faces_folder)]
    options = {"warmup": 1, "latency_images": 5, "resamples": 200}
    return compare([selected, refitted], tmp_path_factory.mktemp("out"), also_on=also_on, **options)


def test_each_score_says_how_the_model_saw_those_images(report, faces_folder):
    comparison, _ = report
    seen = {
        (m.name, label): found["seen"]
        for m in comparison.models
        for label, found in m.cross.items()
    }
    name = faces_folder.name
    assert seen[("refit-train", f"{name}:val")] == "selected on"
    assert seen[("refit-train-val", f"{name}:val")] == "trained on"
    assert seen[("refit-train", f"{name}:test")] is None
    assert seen[("refit-train-val", f"{name}:test")] is None
    # All of its images include the training split.
    assert seen[("refit-train", f"{name}:all")] == "trained on"


def test_marks_show_in_the_table_and_the_notes(report, faces_folder):
    _, paths = report
    text = paths["text"].read_text()
    assert "(selected on)" in text and "(trained on)" in text
    assert (
        "selected on: refit-train (their model or checkpoint was chosen on these images, "
        "so their score here is no held-out test)"
    ) in text
    assert "(selected on)" in paths["markdown"].read_text()
