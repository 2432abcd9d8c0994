"""``grid_search`` end to end on the synthetic data: run directory, resume, interrupt, errors."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from fer_classic.classical import grid_search
from fer_classic.classical.persistence import load_pipeline
from fer_classic.errors import FerClassicError, RunError

FEATURES = "hog,lbp+hist"


def _search(dataset, out, grid, **kwargs):
    kwargs = {"features": FEATURES, "models": "knn,svm,rf", **kwargs}
    return grid_search(dataset, grid=grid, out=out, **kwargs)


@pytest.fixture(scope="module")
def finished(small_dataset, tmp_path_factory):
    from .conftest import TINY_GRID

    out = tmp_path_factory.mktemp("runs") / "full"
    return _search(small_dataset, out, TINY_GRID, n_jobs=2)


def test_run_directory_holds_every_file(finished, small_dataset):
    run_dir = finished.run_dir
    names = {p.name for p in run_dir.iterdir()}
    assert {
        "config.json",
        "manifest.json",
        "candidates.jsonl",
        "model.skops",
        "test_predictions.csv",
        "confusion_matrix.png",
        "metrics.json",
    } <= names
    n_candidates = 2 * (4 + 3 + 2)
    assert len(finished.records) == n_candidates
    lines = (run_dir / "candidates.jsonl").read_text().splitlines()
    assert len(lines) == n_candidates
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["kind"] == "classical"
    assert manifest["data"]["fingerprint"] == small_dataset.fingerprint
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["best"]["key"] == finished.best["key"]
    assert metrics["n_test"] == len(small_dataset.test)
    assert sum(map(sum, metrics["confusion_matrix"])) == len(small_dataset.test)
    assert set(metrics["per_class"]) == set(small_dataset.class_names)
    best = max(finished.records, key=lambda r: r["score"])
    assert finished.best["score"] == best["score"]


def test_saved_model_predicts_images_as_the_reported_predictions(finished, small_dataset):
    model = load_pipeline(finished.run_dir / "model.skops")
    predicted = model.predict(small_dataset.test.images)
    with open(finished.run_dir / "test_predictions.csv") as f:
        rows = list(csv.DictReader(f))
    names = small_dataset.class_names
    assert [names[i] for i in predicted] == [row["pred"] for row in rows]
    assert [names[i] for i in small_dataset.test.labels] == [row["true"] for row in rows]
    accuracy = np.mean(predicted == small_dataset.test.labels)
    assert finished.metrics["accuracy"] == pytest.approx(accuracy)


def test_rerun_resumes_without_running_anything(finished, small_dataset, tiny_grid):
    seen = []
    again = _search(small_dataset, finished.run_dir, tiny_grid, on_record=seen.append)
    assert again.resumed and not seen
    assert again.best == finished.best
    assert again.metrics["accuracy"] == finished.metrics["accuracy"]


def test_interrupted_search_resumes_to_the_same_result(
    finished, small_dataset, tiny_grid, tmp_path
):
    out = tmp_path / "interrupted"
    count = []

    def interrupt_after_seven(record):
        count.append(record)
        if len(count) == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _search(small_dataset, out, tiny_grid, n_jobs=2, on_record=interrupt_after_seven)
    assert not (out / "metrics.json").exists()
    assert len((out / "candidates.jsonl").read_text().splitlines()) == 7
    # A torn last line, as a kill mid-write leaves, is not a record.
    with open(out / "candidates.jsonl", "a") as f:
        f.write('{"key": "torn')
    new = []
    with pytest.warns(UserWarning, match="candidates.jsonl: dropped a torn last line"):
        resumed = _search(small_dataset, out, tiny_grid, on_record=new.append)
    assert resumed.resumed and resumed.n_resumed == 7
    assert len(new) == len(finished.records) - 7
    # The torn line is gone: every line of the log is a record, and a rerun reads them.
    lines = (out / "candidates.jsonl").read_text().splitlines()
    assert len(lines) == len(finished.records)
    assert all(json.loads(line)["key"] for line in lines)
    assert _search(small_dataset, out, tiny_grid).n_resumed == len(finished.records)

    def scores(records):
        return sorted((r["key"], r["score"]) for r in records)

    assert scores(resumed.records) == scores(finished.records)
    assert resumed.best["key"] == finished.best["key"]
    assert resumed.metrics["accuracy"] == finished.metrics["accuracy"]
    ours = load_pipeline(out / "model.skops").predict(small_dataset.test.images)
    theirs = load_pipeline(finished.run_dir / "model.skops").predict(small_dataset.test.images)
    np.testing.assert_array_equal(ours, theirs)


def test_another_config_is_refused_unless_forced(finished, small_dataset, tiny_grid, tmp_path):
    out = tmp_path / "run"
    _search(small_dataset, out, {"knn": {"n_neighbors": 1}}, models="knn")
    with pytest.raises(RunError, match=r"another configuration .*differs in: grids.*--force"):
        _search(small_dataset, out, {"knn": {"n_neighbors": 3}}, models="knn")
    forced = _search(small_dataset, out, {"knn": {"n_neighbors": 3}}, models="knn", force=True)
    assert not forced.resumed
    assert {r["params"]["n_neighbors"] for r in forced.records} == {3}


def test_refit_on_train_and_val(small_dataset, tmp_path):
    result = _search(
        small_dataset, tmp_path / "r", {"knn": {"n_neighbors": 3}}, models="knn", refit="train+val"
    )
    assert result.metrics["n_train"] == len(small_dataset.train) + len(small_dataset.val)
    assert result.metrics["refit_on"] == "train+val"


def test_cross_validation_and_halving(small_dataset, tmp_path):
    grid = {"svm": {"scaler": "standard", "kernel": "linear", "C": [0.001, 0.01, 0.1, 1]}}
    result = grid_search(
        small_dataset,
        features="hog",
        models="svm",
        grid=grid,
        cv=3,
        search="halving",
        factor=2,
        out=tmp_path / "cv",
    )
    assert all(len(r["fold_scores"]) == 3 for r in result.records)
    assert result.best["full"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"features": "hog,sift"}, "unknown feature extractor 'sift'.*valid names: pixels, hist"),
        ({"models": "svm,mlp"}, "models: unknown 'mlp'; valid: knn, svm, rf"),
        (
            {"grid": {"knn": {"n_neighbors": 500}}, "models": "knn"},
            "knn n_neighbors=500 is larger than the 147 training images",
        ),
        ({"grid": {"svm": {"pca": 5000}}, "models": "svm"}, "svm pca=5000 exceeds"),
        ({"grid": {"svm": {"kernal": "rbf"}}}, r"grid: \[svm\] unknown key 'kernal'"),
        (
            {"grid": {"features": {"hog": {"orientations": 0}}}},
            r"grid: \[features\.hog\] orientations must be an integer >= 1",
        ),
        ({"search": "random"}, "unknown search 'random'"),
    ],
)
def test_bad_input_is_one_clear_line(small_dataset, tmp_path, kwargs, message):
    kwargs = {"features": "hog", "models": "knn", "out": tmp_path / "bad", **kwargs}
    with pytest.raises(FerClassicError, match=message) as info:
        grid_search(small_dataset, **kwargs)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "bad").exists()


def test_a_corrupt_line_inside_the_log_is_one_error_naming_it(
    finished, small_dataset, tiny_grid, tmp_path
):
    out = tmp_path / "corrupt"
    out.mkdir()
    for name in ("config.json", "manifest.json"):
        (out / name).write_bytes((finished.run_dir / name).read_bytes())
    lines = (finished.run_dir / "candidates.jsonl").read_text().splitlines(keepends=True)
    lines[2] = lines[2][:10] + "\n"
    (out / "candidates.jsonl").write_text("".join(lines))
    with pytest.raises(RunError, match=r"candidates.jsonl: line 3 is not a JSON record"):
        _search(small_dataset, out, tiny_grid)
