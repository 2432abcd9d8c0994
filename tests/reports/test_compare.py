"""``compare`` end to end on synthetic classical runs: every output, measured, with its notices."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pytest

from fer_classic.errors import DataError, RunError
from fer_classic.reports import OUTPUT_FILES, compare
from fer_classic.reports.literature import REPORTED
from fer_classic.reports.plots import PLOT_FILES
from fer_classic.reports.runs_reader import SYNTHETIC_WARNING, read_run

from .conftest import write_classical_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(knn_run, svm_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    comparison, paths = compare([knn_run, svm_run], out, warmup=3)
    return comparison, paths


def test_writes_every_output(report):
    _, paths = report
    optional = ("cross_dataset", "learning_curves")
    plots = {key: name for key, name in PLOT_FILES.items() if key not in optional}
    assert "cross_dataset" not in paths  # drawn only with --also-on
    assert "learning_curves" not in paths  # drawn only for CNN runs
    for key, name in {**OUTPUT_FILES, **plots}.items():
        assert paths[key].name == name
        assert paths[key].stat().st_size > 0
    for key in plots:
        assert paths[key].read_bytes()[:8] == PNG_MAGIC


def test_scores_are_those_the_runs_recorded(report, knn_run, svm_run):
    comparison, _ = report
    for model, run_dir in zip(comparison.models, (knn_run, svm_run), strict=True):
        run = read_run(run_dir)
        recorded = float(np.mean(run.predictions.pred == run.predictions.true))
        assert model.accuracy == pytest.approx(recorded)
        assert np.trace(np.asarray(model.confusion)) == round(recorded * len(run.predictions))
        assert not any("differ" in note for note in model.notes)
        assert set(model.per_class_f1) == set(comparison.class_names)


def test_latency_and_throughput_are_measured(report):
    comparison, _ = report
    for model in comparison.models:
        assert model.latency_images == 200
        assert 0 < model.latency_median_ms <= model.latency_p95_ms
        assert model.throughput_per_s > 0 and model.throughput_batch == 256
        assert model.training_seconds == 1.5
        assert "the grid search took 30 s" in model.notes[0]
    assert comparison.method["latency_images"] == 200
    assert comparison.method["warmup"] == 3
    assert comparison.method["threads"] == 1


def test_sizes_say_what_the_models_store(report, synthetic):
    knn, svm = report[0].models
    assert f"{len(synthetic.train)} training samples x 576 features kept" in knn.stored
    assert "support vectors x 576 features" in svm.stored
    assert knn.model_file == "model.skops" and knn.model_bytes > 0
    assert (knn.summary, svm.summary) == ("pixels / KNeighborsClassifier", "pixels / SVC")


def test_synthetic_notice_in_every_output(report):
    comparison, paths = report
    assert comparison.notices == [SYNTHETIC_WARNING]
    for key in ("text", "markdown", "html"):
        assert SYNTHETIC_WARNING in paths[key].read_text().replace("&#x27;", "'")
    document = json.loads(paths["json"].read_text())
    assert document["notices"] == [SYNTHETIC_WARNING]
    with open(paths["csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(SYNTHETIC_WARNING in row["alerts"] for row in rows)


def test_literature_rows_are_marked_reported(report):
    comparison, paths = report
    assert all(not m.measured and REPORTED in m.notes for m in comparison.literature)
    thesis = next(m for m in comparison.literature if m.name == "SqueezeNet (thesis)")
    assert (thesis.accuracy, thesis.parameters) == (0.6637, 1_377_655)
    with open(paths["csv"], newline="") as f:
        rows = {row["name"]: row for row in csv.DictReader(f)}
    assert rows["VGG16 (thesis)"]["status"] == "reported, not measured"
    assert rows["KNN (seed 003)"]["latency_median_ms"] == ""
    assert rows["knn"]["status"] == "measured"
    assert REPORTED in paths["text"].read_text()


def test_html_embeds_the_plots_and_prints_the_method(report):
    comparison, paths = report
    page = paths["html"].read_text()
    # Classical runs only, no --also-on: neither learning curves nor a cross-dataset plot.
    assert page.count('src="data:image/png;base64,') == len(PLOT_FILES) - 2
    for text in ("Method", comparison.method["cpu"], "warm-up", "200 test images"):
        assert text in page


def test_mixed_test_splits_are_refused(knn_run, other_split_run, tmp_path):
    with pytest.raises(RunError, match="--allow-mixed"):
        compare([knn_run, other_split_run], tmp_path)
    assert not any(tmp_path.iterdir())


def test_mixed_test_splits_allowed_with_a_notice_everywhere(knn_run, other_split_run, tmp_path):
    comparison, paths = compare(
        [knn_run, other_split_run], tmp_path, allow_mixed=True, latency_images=20, warmup=1
    )
    mixed = comparison.notices[0]
    assert mixed.startswith("MIXED TEST SPLITS")
    for key in ("text", "markdown", "csv", "json"):
        assert "MIXED TEST SPLITS" in paths[key].read_text()
    assert "fewer than the method's 200" in paths["text"].read_text()
    other = read_run(other_split_run)  # measured on its own test split
    recorded = float(np.mean(other.predictions.pred == other.predictions.true))
    assert comparison.models[1].accuracy == pytest.approx(recorded)
    assert comparison.models[0].test_fingerprint != comparison.models[1].test_fingerprint


def test_foreign_model_file_is_flagged(knn_run, svm_run, tmp_path):
    run = shutil.copytree(knn_run, tmp_path / "swapped")
    shutil.copy(svm_run / "model.skops", run / "model.skops")
    comparison, _ = compare([run], tmp_path / "out", latency_images=5, warmup=0)
    assert any("is the model file the run's own?" in w for w in comparison.warnings)


def test_partial_run_is_refused_by_name(knn_run, tmp_path):
    run = shutil.copytree(knn_run, tmp_path / "partial")
    (run / "metrics.json").unlink()
    with pytest.raises(RunError, match=f"{run}: incomplete run"):
        compare([knn_run, run], tmp_path / "out")


def test_data_that_moved(synthetic, tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    from ..data.conftest import write_fer_csv

    usage = {"train": "Training", "val": "PublicTest", "test": "PrivateTest"}
    images = np.concatenate([s.images for s in synthetic.splits])
    labels = np.concatenate([s.labels for s in synthetic.splits])
    usages = [usage[s.name] for s in synthetic.splits for _ in range(len(s))]
    csv_path = write_fer_csv(tmp_path / "fer2013.csv", labels, usages, images)
    from fer_classic.data import load_dataset

    dataset = load_dataset(csv_path)
    run = write_classical_run(tmp_path / "run", KNeighborsClassifier(3), dataset)
    moved = csv_path.rename(tmp_path / "elsewhere.csv")
    with pytest.raises(DataError, match="pass --data PATH"):
        compare([run], tmp_path / "out")
    comparison, _ = compare([run], tmp_path / "out", data=moved, latency_images=5, warmup=0)
    assert comparison.notices == []
    assert comparison.models[0].test_split == f"PrivateTest, {len(dataset.test)} images"


def test_corrupt_model_file_is_refused_by_name(knn_run, tmp_path):
    run = shutil.copytree(knn_run, tmp_path / "corrupt")
    model = run / "model.skops"
    model.write_bytes(model.read_bytes()[:100])
    with pytest.raises(RunError, match=f"{model}: not a readable skops file"):
        compare([run], tmp_path / "out")


def test_report_written_again_from_its_json(report, tmp_path):
    from fer_classic.reports import Comparison, write_report

    comparison, paths = report
    again = Comparison.from_dict(json.loads(paths["json"].read_text()))
    assert again == comparison
    written = write_report(again, tmp_path)
    assert written["markdown"].read_text() == paths["markdown"].read_text()


def test_a_fine_tuned_cnn_counts_the_training_of_its_initial_weights():
    from fer_classic.reports.compare import _training_note, _training_seconds

    metrics = {
        "epochs_done": 12,
        "train_seconds": 7200.0,
        "trained_on": ["CPU: AMD EPYC"],
        "init_from": [
            {"run": "runs/base", "epochs": 112, "train_seconds": 400.0, "trained_on": None},
            {"run": "runs/ft", "epochs": 6, "train_seconds": 3600.0, "trained_on": ["GPU"]},
        ],
        "train_seconds_with_init": 11200.0,
    }
    assert _training_note(metrics) == (
        "training: 112 epochs of base (6.67 min, device not recorded), then 6 epochs of ft "
        "(60 min on GPU), then 12 epochs here (2 h on CPU: AMD EPYC); "
        "the training column adds them up"
    )
    assert _training_note({"epochs_done": 3, "train_seconds": 9.0}) == (
        "training: 3 epochs (9 s, device not recorded)"
    )
    assert _training_note({"accuracy": 0.5}) == ""
    assert _training_seconds(metrics) == 11200.0


def test_tta_rows_are_measured_beside_the_plain_ones(knn_run, tmp_path):
    comparison, _ = compare([knn_run], tmp_path / "out", latency_images=5, warmup=0, tta="flip")
    plain, flipped = comparison.models
    assert flipped.name == f"{plain.name} + flip TTA"
    assert flipped.latency_median_ms is not None and flipped.accuracy is not None
    assert any("test-time augmentation" in note for note in flipped.notes)
    assert not any("model file" in w for w in comparison.warnings)  # not checked as the run's own
