"""``compare`` with packaged CNNs named beside the runs: measured rows of their own."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from fer_classic.cli.main import main
from fer_classic.cnn.packaged import packaged_model
from fer_classic.errors import FerClassicError, RunError
from fer_classic.reports import compare
from fer_classic.reports.compare import PACKAGED_PROTOCOL
from fer_classic.reports.runs_reader import read_run
from fer_classic.reports.tables import status

# The module, which the package's ``compare`` function shadows.
compare_module = importlib.import_module("fer_classic.reports.compare")


@pytest.fixture
def compact_on_knn_split(monkeypatch, knn_run):
    """The packaged compact CNN, indexed as if measured on the synthetic run's test split."""
    real = packaged_model("compact")
    moved = dataclasses.replace(real, test_fingerprint=read_run(knn_run).test_fingerprint)
    monkeypatch.setattr(compare_module, "packaged_model", lambda name: moved)
    return moved


def test_packaged_cnn_is_a_measured_row_of_its_own(compact_on_knn_split, knn_run, tmp_path):
    comparison, paths = compare(
        [knn_run, "compact"], tmp_path / "out", latency_images=5, warmup=1, resamples=200
    )
    rows = {m.name: m for m in comparison.models}
    assert set(rows) == {"knn", "packaged compact CNN"}
    row = rows["packaged compact CNN"]
    packaged = compact_on_knn_split
    assert (row.origin, row.kind, row.variant) == ("packaged", "cnn", "TFLite int8")
    assert row.model_file == packaged.path.name
    assert row.model_bytes == packaged.path.stat().st_size
    assert row.parameters == 72_743
    assert row.training_seconds == packaged.train_seconds
    assert row.protocol == PACKAGED_PROTOCOL
    assert packaged.card.name in row.notes[0]
    assert row.test_fingerprint == rows["knn"].test_fingerprint
    assert row.test_split == rows["knn"].test_split
    assert 0 <= row.accuracy <= 1 and row.accuracy_ci is not None
    assert row.latency_images == 5 and row.latency_median_ms > 0
    assert status(row) == "measured"
    assert comparison.method["litert_threads"].startswith("CNN exports: 1")
    # Paired with the run: both scored on the same test images.
    assert comparison.significance and not comparison.not_compared
    assert "packaged compact CNN" in paths["markdown"].read_text()


def test_packaged_cnn_needs_a_run_on_its_test_split(knn_run, tmp_path):
    # The real index: measured on FER-2013's PrivateTest, not the synthetic test split.
    with pytest.raises(RunError, match="none of the runs was scored on"):
        compare([knn_run, "compact"], tmp_path / "out")


def test_packaged_cnn_alone_is_refused(tmp_path):
    with pytest.raises(FerClassicError, match="name at least one run directory"):
        compare(["compact", "squeezenet"], tmp_path / "out")


def test_a_folder_named_like_a_packaged_cnn_is_a_run(knn_run, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compact").mkdir()
    args = ["compare", str(knn_run), "./compact", "--out", str(tmp_path / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "compact: not a run directory" in err[0]
    assert main(["compare", str(knn_run), "compact", "--out", str(tmp_path / "out")]) == 2
    assert "write ./compact for the path" in capsys.readouterr().err


def test_cli_refusal_is_one_line(knn_run, tmp_path, capsys):
    assert main(["compare", str(knn_run), "squeezenet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the packaged squeezenet CNN was measured on" in err[0]
