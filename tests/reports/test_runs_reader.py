"""Reading run directories: complete runs load, partial or foreign ones are refused by name."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from fer_classic.errors import FerClassicError, RunError
from fer_classic.reports.runs_reader import (
    SYNTHETIC_WARNING,
    check_test_splits,
    read_run,
    read_runs,
)


@pytest.fixture
def run_copy(knn_run, tmp_path):
    return shutil.copytree(knn_run, tmp_path / "copy")


def test_reads_a_complete_run(knn_run, synthetic):
    run = read_run(knn_run)
    assert run.kind == "classical"
    assert run.is_synthetic
    assert run.test_fingerprint == synthetic.test.fingerprint
    np.testing.assert_array_equal(run.predictions.true, synthetic.test.labels)
    np.testing.assert_array_equal(run.predictions.rows, synthetic.test.indices)
    assert run.test_split_label == f"test, {len(synthetic.test)} images"


def test_reads_predictions_of_the_earlier_classical_format(run_copy, synthetic):
    names, test = synthetic.class_names, synthetic.test
    lines = ["index,true,pred"] + [f"{k},{names[t]},{names[t]}" for k, t in enumerate(test.labels)]
    (run_copy / "test_predictions.csv").write_text("\n".join(lines) + "\n")
    run = read_run(run_copy)
    assert run.predictions.rows is None  # positions in the test split, not source rows
    np.testing.assert_array_equal(run.predictions.pred, test.labels)


def test_missing_predictions(run_copy):
    (run_copy / "test_predictions.csv").unlink()
    with pytest.raises(RunError, match=r"incomplete run: no test_predictions\.csv"):
        read_run(run_copy)


def test_missing_directory(tmp_path):
    with pytest.raises(RunError, match="no such run directory"):
        read_run(tmp_path / "nowhere")


def test_folder_without_manifest(tmp_path):
    with pytest.raises(RunError, match=r"no manifest\.json"):
        read_run(tmp_path)


def test_unfinished_run_without_metrics(run_copy):
    (run_copy / "metrics.json").unlink()
    with pytest.raises(RunError, match=r"incomplete run: no metrics\.json"):
        read_run(run_copy)


def test_run_without_model(run_copy):
    (run_copy / "model.skops").unlink()
    with pytest.raises(RunError, match=r"no model\.skops"):
        read_run(run_copy)


def test_corrupt_manifest(run_copy):
    (run_copy / "manifest.json").write_text('{"kind": "classical", ')
    with pytest.raises(RunError, match=r"manifest\.json: not valid JSON"):
        read_run(run_copy)


def test_unknown_kind(run_copy):
    manifest = json.loads((run_copy / "manifest.json").read_text())
    manifest["kind"] = "gan"
    (run_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunError, match="unknown run kind 'gan'"):
        read_run(run_copy)


def test_truncated_predictions(run_copy):
    path = run_copy / "test_predictions.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:5]) + "\n" + lines[5].split(",")[0] + ",\n")
    with pytest.raises(RunError, match=r"test_predictions\.csv: line 6"):
        read_run(run_copy)


def test_predictions_of_another_size(run_copy):
    path = run_copy / "test_predictions.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-3]) + "\n")
    with pytest.raises(RunError, match="rows, but the manifest's test split has"):
        read_run(run_copy)


def test_no_runs():
    with pytest.raises(FerClassicError, match="no runs to compare"):
        read_runs([])


def test_duplicates_are_compared_once(knn_run):
    runs, warnings = read_runs([knn_run, knn_run])
    assert len(runs) == 1
    assert "named twice" in warnings[0]


def test_same_split_gives_only_the_synthetic_notice(knn_run, svm_run):
    runs, _ = read_runs([knn_run, svm_run])
    assert check_test_splits(runs, allow_mixed=False) == [SYNTHETIC_WARNING]


def test_different_test_splits_are_refused(knn_run, other_split_run):
    runs, _ = read_runs([knn_run, other_split_run])
    with pytest.raises(RunError, match=r"different test splits.*--allow-mixed"):
        check_test_splits(runs, allow_mixed=False)


def test_different_test_splits_allowed_with_a_notice(knn_run, other_split_run):
    runs, _ = read_runs([knn_run, other_split_run])
    notices = check_test_splits(runs, allow_mixed=True)
    assert notices[0].startswith("MIXED TEST SPLITS")
    assert str(other_split_run) in notices[0]


def test_binary_predictions_file(run_copy):
    (run_copy / "test_predictions.csv").write_bytes(b"\xff\xfe\x00garbage\x89")
    with pytest.raises(RunError, match=r"test_predictions\.csv: not a readable CSV"):
        read_run(run_copy)
