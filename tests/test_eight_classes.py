"""A data set with ``contempt`` kept trains and scores with eight classes in every command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data

from fer_classic.cli.main import main
from fer_classic.data import CLASS_NAMES, make_synthetic
from fer_classic.data.labels import CONTEMPT

EIGHT = (*CLASS_NAMES, CONTEMPT)


@pytest.fixture(scope="module")
def eight_class_folders(tmp_path_factory) -> Path:
    """Kaggle-style ``train/`` and ``test/`` folders of the synthetic faces, plus a
    ``contempt/`` folder of mirrored, inverted angry faces."""
    root = tmp_path_factory.mktemp("eight")
    synthetic = make_synthetic(n_per_class=16)
    for folder, split in (("train", synthetic.train), ("test", synthetic.test)):
        for i, (image, label) in enumerate(zip(split.images, split.labels, strict=True)):
            target = root / folder / CLASS_NAMES[label]
            target.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(target / f"{i}.png"), image)
            if label == 0:
                target = root / folder / CONTEMPT
                target.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(target / f"{i}.png"), 255 - image[:, ::-1])
    return root


@pytest.fixture(scope="module")
def runs(eight_class_folders, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("runs")
    data = ["--data", str(eight_class_folders), "--extra-classes", "keep"]
    data += ["--cache-dir", str(out / "cache")]
    classical, cnn = out / "classical", out / "cnn"
    assert main(["grid-search", *data, "--features", "hog", "--models", "knn",
                 "--out", str(classical)]) == 0  # fmt: skip
    assert main(["train-cnn", *data, "--arch", "compact", "--epochs", "3",
                 "--batch-size", "16", "--out", str(cnn)]) == 0  # fmt: skip
    return {"classical": classical, "cnn": cnn}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["classical", "cnn"])
def test_runs_record_and_score_eight_classes(runs, kind, capsys):
    run = runs[kind]
    manifest = json.loads((run / "manifest.json").read_text())
    assert tuple(manifest["data"]["class_names"]) == EIGHT
    capsys.readouterr()
    assert main(["evaluate", str(run)]) == 0
    out = capsys.readouterr().out
    assert CONTEMPT in out
    with open(run / "test_predictions.csv", newline="") as f:
        header = next(csv.reader(f))
    assert header[-len(EIGHT) :] == [f"p_{name}" for name in EIGHT]


@pytest.mark.slow
def test_compare_and_predict_name_the_eighth_class(runs, tmp_path):
    report = tmp_path / "report"
    assert main(["compare", str(runs["classical"]), str(runs["cnn"]), "--out", str(report)]) == 0
    with open(report / "comparison.csv", newline="") as f:
        header = next(csv.reader(f))
    assert [c for c in header if c.startswith("f1_")] == [f"f1_{name}" for name in EIGHT]
    photo = tmp_path / "astronaut.png"
    cv2.imwrite(str(photo), cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))
    for run in runs.values():
        out = tmp_path / f"predicted-{run.name}"
        assert main(["predict", str(photo), "--model", str(run), "--out", str(out)]) == 0
        result = json.loads((out / "predictions.json").read_text())
        assert tuple(result["model"]["class_names"]) == EIGHT
        (face,) = result["faces"]
        assert tuple(face["probabilities"]) == EIGHT
        assert np.isclose(sum(face["probabilities"].values()), 1.0, atol=1e-3)
