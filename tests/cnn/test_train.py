"""Training: the loss falls, checkpoints are written, --resume goes on, bad runs are refused."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn.run_dir import CHECKPOINT, STATE  # noqa: E402
from fer_classic.cnn.train import class_weights, train_cnn  # noqa: E402
from fer_classic.errors import RunError  # noqa: E402
from fer_classic.runs import HISTORY  # noqa: E402

from .conftest import TINY  # noqa: E402


def _history(run_dir: Path) -> list[dict[str, str]]:
    with open(run_dir / HISTORY, newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_short_training_lowers_the_loss_and_writes_a_checkpoint(trained_run, tiny_dataset):
    rows = _history(trained_run)
    assert [int(r["epoch"]) for r in rows] == list(range(1, TINY.epochs + 1))
    losses = [float(r["loss"]) for r in rows]
    assert losses[-1] < losses[0]
    assert all(float(r["seconds"]) > 0 for r in rows)
    for name in ("model.keras", CHECKPOINT, STATE, "config.json", "manifest.json"):
        assert (trained_run / name).exists(), name
    state = json.loads((trained_run / STATE).read_text())
    assert state["epoch"] == TINY.epochs and state["finished"]
    best = max(float(r["val_accuracy"]) for r in rows)
    assert state["best_val_accuracy"] == pytest.approx(best)
    metrics = json.loads((trained_run / "metrics.json").read_text())
    assert metrics["n_params"] == 1_332_615
    assert 0.0 <= metrics["accuracy"] <= 1.0
    # Seed 002's rates, from the same history.
    first, last = float(rows[0]["loss"]), float(rows[-1]["loss"])
    learning = metrics["learning"]
    assert learning["initial"]["loss"] == pytest.approx(first)
    mean_change = (last - first) / (len(rows) - 1)
    assert learning["mcr"]["loss"]["all"] == pytest.approx(mean_change, abs=1e-6)
    with open(trained_run / "test_predictions.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(tiny_dataset.test)


@pytest.mark.slow
def test_resume_continues_from_the_saved_epoch_with_the_optimizer_state(tiny_dataset, tmp_path):
    config = replace(TINY, epochs=3)
    run_dir = tmp_path / "run"
    first = train_cnn(tiny_dataset, run_dir, config, export=False, time_limit=1e-6, verbose=False)
    assert (first.epochs_done, first.finished, first.metrics) == (1, False, None)
    assert json.loads((run_dir / STATE).read_text())["epoch"] == 1

    second = train_cnn(tiny_dataset, run_dir, config, resume=True, export=False, verbose=False)
    assert second.finished and second.epochs_done == 3
    assert [int(r["epoch"]) for r in _history(run_dir)] == [1, 2, 3]
    # Adam's step counter carried over: a fresh optimizer would have counted 2 epochs.
    steps_per_epoch = math.ceil(len(tiny_dataset.train) / config.batch_size)
    checkpoint = keras.saving.load_model(run_dir / CHECKPOINT)
    assert int(checkpoint.optimizer.iterations) == 3 * steps_per_epoch
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert [s["start_epoch"] for s in manifest["sessions"]] == [0, 1]


def test_resume_without_a_run_directory_is_a_clear_error(tiny_dataset, tmp_path):
    with pytest.raises(RunError, match="no such run directory"):
        train_cnn(tiny_dataset, tmp_path / "missing", TINY, resume=True, verbose=False)


@pytest.mark.slow
def test_resume_with_another_configuration_is_refused(trained_run, tiny_dataset):
    with pytest.raises(RunError, match="another configuration"):
        train_cnn(tiny_dataset, trained_run, replace(TINY, dropout=0.3), resume=True, verbose=False)


@pytest.mark.slow
def test_existing_run_needs_resume_or_force(trained_run, tiny_dataset):
    with pytest.raises(RunError, match="--resume"):
        train_cnn(tiny_dataset, trained_run, TINY, verbose=False)


@pytest.mark.slow
def test_checkpoint_of_another_architecture_is_refused(tiny_dataset, tmp_path):
    config = replace(TINY, epochs=2)
    run_dir = tmp_path / "run"
    train_cnn(tiny_dataset, run_dir, config, export=False, time_limit=1e-6, verbose=False)
    inputs = keras.Input((48, 48, 3))
    other = keras.Model(inputs, keras.layers.Dense(7)(keras.layers.Flatten()(inputs)))
    other.compile(optimizer="adam", loss="categorical_crossentropy")
    other.save(run_dir / CHECKPOINT)
    with pytest.raises(RunError, match="another architecture"):
        train_cnn(tiny_dataset, run_dir, config, resume=True, verbose=False)


def test_unreadable_checkpoint_is_a_clear_error(tiny_dataset, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    stored = {
        **TINY.to_dict(),
        "architecture": "squeezenet-fer-v1",
        "data": tiny_dataset.fingerprint,
    }
    (run_dir / "config.json").write_text(json.dumps(stored))
    (run_dir / "manifest.json").write_text(json.dumps({"kind": "cnn", "data": {}}))
    (run_dir / STATE).write_text(json.dumps({"epoch": 2}))
    (run_dir / CHECKPOINT).write_bytes(b"not a zip")
    with pytest.raises(RunError, match=r"not a \.keras archive"):
        train_cnn(tiny_dataset, run_dir, TINY, resume=True, verbose=False)


def test_a_classical_run_directory_is_not_overwritten(tiny_dataset, tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "classical"}))
    with pytest.raises(RunError, match="not a CNN run"):
        train_cnn(tiny_dataset, tmp_path, TINY, force=True, verbose=False)


def test_class_weights_are_balanced_and_cover_every_class():
    labels = np.array([0, 0, 0, 1, 2, 2])
    weights = class_weights(labels, 7)
    assert set(weights) == set(range(7))
    assert weights[0] == pytest.approx(6 / (3 * 3))
    assert weights[1] == pytest.approx(6 / (3 * 1))
    assert weights[6] == 1.0


@pytest.mark.slow
def test_finish_scores_a_stopped_run_without_training_further(tiny_dataset, tmp_path):
    config = replace(TINY, epochs=3)
    run_dir = tmp_path / "run"
    train_cnn(tiny_dataset, run_dir, config, export=False, time_limit=1e-6, verbose=False)
    (run_dir / CHECKPOINT).unlink()  # as a run copied back without its checkpoint
    with pytest.raises(RunError, match="--finish"):
        train_cnn(tiny_dataset, run_dir, config, resume=True, export=False, verbose=False)
    result = train_cnn(
        tiny_dataset, run_dir, config, resume=True, finish=True, export=False, verbose=False
    )
    assert result.finished and result.epochs_done == 1
    assert "finished on request after epoch 1 of 3" in result.stop_reason
    assert json.loads((run_dir / "metrics.json").read_text())["epochs_done"] == 1
    assert len(_history(run_dir)) == 1


def test_finish_needs_resume(tiny_dataset, tmp_path):
    with pytest.raises(ValueError, match="resume"):
        train_cnn(tiny_dataset, tmp_path / "run", TINY, finish=True, verbose=False)


def _kernels(model: keras.Model) -> list[np.ndarray]:
    """The convolution kernels and biases (batch normalization statistics move in any training)."""
    return [np.asarray(w) for w in model.weights if "/kernel" in w.path or "/bias" in w.path]


@pytest.mark.slow
def test_init_from_a_run_starts_from_its_weights(trained_run, tiny_dataset, tmp_path):
    from fer_classic.data.cache import file_fingerprint

    config = replace(TINY, epochs=1, learning_rate=1e-10)
    source = keras.saving.load_model(trained_run / "model.keras")
    tuned = train_cnn(
        tiny_dataset, tmp_path / "tuned", config, init_from=trained_run, export=False, verbose=False
    )
    fresh = train_cnn(tiny_dataset, tmp_path / "fresh", config, export=False, verbose=False)
    start = keras.saving.load_model(tuned.run_dir / "model.keras")
    other = keras.saving.load_model(fresh.run_dir / "model.keras")
    for got, want, unrelated in zip(
        _kernels(start), _kernels(source), _kernels(other), strict=True
    ):
        np.testing.assert_allclose(got, want, atol=1e-6)
        assert got.shape == unrelated.shape
    assert not all(
        np.allclose(a, b) for a, b in zip(_kernels(source), _kernels(other), strict=True)
    )
    stored = json.loads((tuned.run_dir / "config.json").read_text())
    assert stored["init_from"] == file_fingerprint(trained_run / "model.keras", None)
    # The training that made the initial weights counts in the tuned run's training time.
    best = json.loads((trained_run / STATE).read_text())["best_epoch"]
    source_seconds = sum(float(r["seconds"]) for r in _history(trained_run)[:best])
    (source,) = tuned.metrics["init_from"]
    assert (source["run"], source["epochs"]) == (str(trained_run), best)
    assert source["train_seconds"] == pytest.approx(source_seconds, abs=0.1)
    assert source["trained_on"] == tuned.metrics["trained_on"]
    assert tuned.metrics["trained_on"][0].startswith("CPU: ")
    assert tuned.metrics["train_seconds_with_init"] == pytest.approx(
        tuned.metrics["train_seconds"] + source_seconds, abs=0.2
    )
    assert "init_from" not in fresh.metrics
    # A resumed run must name the same initial weights.
    with pytest.raises(RunError, match="init_from"):
        train_cnn(tiny_dataset, tuned.run_dir, config, resume=True, verbose=False)


def test_init_from_a_missing_file_or_another_architecture_is_refused(tiny_dataset, tmp_path):
    with pytest.raises(RunError, match="no such file"):
        train_cnn(tiny_dataset, tmp_path / "a", TINY, init_from=tmp_path / "none.keras")
    inputs = keras.Input((48, 48, 3))
    other = keras.Model(inputs, keras.layers.Dense(7)(keras.layers.Flatten()(inputs)))
    other.save(tmp_path / "other.keras")
    with pytest.raises(RunError, match="another architecture"):
        train_cnn(
            tiny_dataset, tmp_path / "b", TINY, init_from=tmp_path / "other.keras", verbose=False
        )
