"""How sure a comparison is: intervals in every output, paired tests, seed groups,
cross-dataset scores and the protocol of rows measured elsewhere."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fer_classic.classical.rundir import ClassicalRun
from fer_classic.data import CLASS_NAMES, make_synthetic
from fer_classic.evaluation import classification_metrics
from fer_classic.features.pixels import PixelFeatures
from fer_classic.reports import compare
from fer_classic.reports.literature import literature_rows
from fer_classic.reports.results import ModelResult
from fer_classic.reports.seeds import seed_groups
from fer_classic.reports.tables import SEED_MEMBER_MARK, main_rows, markdown_text
from fer_classic.runs import make_manifest
from fer_classic.uncertainty import bootstrap_intervals

from .conftest import N_PER_CLASS


def _seeded_run(run_dir: Path, dataset, seed: int) -> Path:
    """A random-forest run whose only difference from its siblings is ``seed``."""
    forest = RandomForestClassifier(n_estimators=8, random_state=seed)
    pipeline = make_pipeline(PixelFeatures(size=12), StandardScaler(), forest)
    pipeline.fit(dataset.train.images, dataset.train.labels)
    run = ClassicalRun(run_dir)
    manifest = make_manifest("classical", seed=seed, data=dataset.describe())
    run.open({"features": "pixels", "classifier": "forest", "seed": seed}, manifest, force=False)
    run.save_model(pipeline)
    test, names = dataset.test, dataset.class_names
    pred = pipeline.predict(test.images)
    run.save_predictions(
        test.indices, test.labels, pred, names, pipeline.predict_proba(test.images)
    )
    run.save_metrics(classification_metrics(test.labels, pred, names))
    return run_dir


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, synthetic):
    root = tmp_path_factory.mktemp("seeded")
    return [_seeded_run(root / f"forest-s{seed}", synthetic, seed) for seed in (0, 1, 2)]


@pytest.fixture(scope="module")
def folder_without_neutral(tmp_path_factory) -> Path:
    """A class folder (as CK+ is shared) of synthetic faces with no neutral class."""
    root = tmp_path_factory.mktemp("ck")
    other = make_synthetic(12, seed=5)
    for i, (image, label) in enumerate(zip(other.test.images, other.test.labels, strict=True)):
        if CLASS_NAMES[label] != "neutral":
            (root / CLASS_NAMES[label]).mkdir(exist_ok=True)
            cv2.imwrite(str(root / CLASS_NAMES[label] / f"{i}.png"), image)
    return root


@pytest.fixture(scope="module")
def report(tmp_path_factory, knn_run, seeded, folder_without_neutral):
    out = tmp_path_factory.mktemp("report")
    options = {"warmup": 1, "latency_images": 20, "tflite": False}
    return compare([knn_run, *seeded], out, also_on=[folder_without_neutral], **options)


def test_every_row_has_seeded_bootstrap_intervals(report, knn_run, synthetic):
    comparison, paths = report
    knn = next(m for m in comparison.models if m.name == "knn")
    low, high = knn.accuracy_ci
    assert low <= knn.accuracy <= high and low < high
    with open(knn_run / "test_predictions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    true = np.array([CLASS_NAMES.index(r["true"]) for r in rows])
    pred = np.array([CLASS_NAMES.index(r["pred"]) for r in rows])
    again = bootstrap_intervals(true, pred, len(CLASS_NAMES), n_resamples=1000, seed=0)
    assert knn.accuracy_ci == pytest.approx(list(again["accuracy"]))
    assert knn.macro_f1_ci == pytest.approx(list(again["macro_f1"]))
    method = comparison.method["uncertainty"]
    assert method["resamples"] == 1000 and method["seed"] == 0
    text = paths["text"].read_text()
    interval = f"{100 * knn.accuracy:.2f} [{100 * low:.2f}, {100 * high:.2f}]"
    assert interval in text and "1,000 resamples, seed 0" in text
    assert interval in paths["html"].read_text()
    assert markdown_text(interval) in paths["markdown"].read_text()
    table = csv.DictReader(io.StringIO(paths["csv"].read_text()))
    (row,) = [r for r in table if r["name"] == "knn"]
    assert float(row["accuracy_ci_low"]) == pytest.approx(low)
    stored = json.loads(paths["json"].read_text())
    assert stored["models"][0]["accuracy_ci"] == pytest.approx([low, high])


def test_pairs_on_the_same_images_get_a_holm_corrected_mcnemar_matrix(report):
    comparison, paths = report
    (group,) = comparison.significance
    n = len(comparison.models)
    assert len(group["names"]) == n and len(group["pairs"]) == n * (n - 1) // 2
    assert "Holm-corrected over 6 pairs" in group["method"]
    for page in (paths["markdown"].read_text(), paths["html"].read_text()):
        assert "Significance of the differences" in page
        assert "exact McNemar test on paired predictions" in page
    assert not comparison.not_compared


def test_runs_differing_only_in_seed_make_one_row(report):
    comparison, _ = report
    (group,) = comparison.seed_groups
    assert group["seeds"] == [0, 1, 2] and group["n"] == 3
    members = [m for m in comparison.models if m.name in group["members"]]
    accuracies = np.array([m.accuracy for m in members])
    assert group["accuracy_mean"] == pytest.approx(accuracies.mean())
    assert group["accuracy_std"] == pytest.approx(accuracies.std(ddof=1))
    names = [row[0] for row in main_rows(comparison)]
    first = names.index(group["name"])
    assert names[first + 1 : first + 4] == [SEED_MEMBER_MARK + m for m in group["members"]]
    assert "knn" in names  # not a member: another recipe


def test_seed_groups_need_one_recipe_and_distinct_seeds():
    def row(name, seed, recipe="r", accuracy=0.5):
        return ModelResult(
            name=name, origin="run", kind="classical", description="d", seed=seed,
            recipe=recipe, accuracy=accuracy, macro_f1=accuracy,
        )  # fmt: skip

    assert seed_groups([row("a", 0), row("b", 0)]) == []  # the same seed twice
    assert seed_groups([row("a", 0), row("b", 1, recipe="other")]) == []
    (group,) = seed_groups([row("a", 1, accuracy=0.6), row("b", 0, accuracy=0.4)])
    assert group["members"] == ["b", "a"] and group["accuracy_mean"] == pytest.approx(0.5)


def test_also_on_a_folder_lacking_a_class(report, folder_without_neutral):
    comparison, paths = report
    (data,) = comparison.cross_datasets
    assert data["absent"] == ["neutral"] and data["part"] == "all"
    knn = next(m for m in comparison.models if m.name == "knn")
    found = knn.cross[data["label"]]
    assert found["n"] == data["n"] > 0
    low, high = found["accuracy_ci"]
    assert low <= found["accuracy"] <= high
    text = paths["text"].read_text()
    assert "no neutral images: macro-F1 over the classes present" in text
    assert paths["cross_dataset"].exists()
    assert "Cross-dataset results" in paths["html"].read_text()


def test_runs_on_other_test_images_are_not_paired(tmp_path, knn_run, other_split_run):
    comparison, paths = compare(
        [knn_run, other_split_run], tmp_path, warmup=1, latency_images=20, allow_mixed=True
    )
    assert comparison.significance == []
    (note,) = comparison.not_compared
    assert "not tested against each other" in note
    for key in ("text", "markdown", "html"):
        assert "not tested against each other" in paths[key].read_text()


def test_rows_measured_elsewhere_state_their_protocol(report):
    comparison, paths = report
    assert all(row.protocol for row in literature_rows())
    thesis = next(r for r in comparison.literature if "thesis" in r.name)
    assert "checkpointed on its validation set" in thesis.protocol
    assert (
        "its own split" in next(r for r in comparison.literature if "seed 003" in r.name).protocol
    )
    assert "checkpointed on its validation set" in paths["markdown"].read_text()


def test_too_few_resamples_warn(tmp_path, knn_run):
    comparison, _ = compare([knn_run], tmp_path, warmup=1, latency_images=20, resamples=50)
    assert any("50 bootstrap resamples" in w for w in comparison.warnings)


def test_n_per_class_is_the_fixtures():
    assert N_PER_CLASS == 30  # the intervals above are wide: 30 images per class


def test_also_on_parts(tmp_path, capsys):
    from fer_classic.cli.main import main
    from fer_classic.reports.cross_dataset import parse_also_on

    assert parse_also_on("data/fer2013.csv:val") == (Path("data/fer2013.csv"), "val")
    assert parse_also_on("ck") == (Path("ck"), None)
    assert main(["compare", "run", "--out", str(tmp_path), "--also-on", "ck:bogus"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "fer-classic: error: --also-on 'ck:bogus': part 'bogus' is not one of test, val, train, all"
    ]
