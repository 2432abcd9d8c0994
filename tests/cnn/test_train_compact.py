"""The compact architecture through the same training, resume, export and evaluation."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn import CNNConfig, load_cnn_model  # noqa: E402
from fer_classic.cnn.run_dir import CHECKPOINT, STATE  # noqa: E402
from fer_classic.cnn.train import build_optimizer, build_training_model, train_cnn  # noqa: E402
from fer_classic.errors import RunError  # noqa: E402
from fer_classic.evaluation import evaluate_model  # noqa: E402
from fer_classic.runs import HISTORY  # noqa: E402

from .test_compact import EXPECTED_PARAMS  # noqa: E402

#: The compact recipe shrunk for CI: no augmentation or dropout, a constant rate.
TINY_COMPACT = CNNConfig.for_architecture(
    "compact",
    epochs=4,
    batch_size=16,
    lr_schedule="constant",
    warmup_epochs=0,
    dropout=0.0,
    augment=False,
)


def _losses(run_dir) -> list[float]:
    with open(run_dir / HISTORY, newline="") as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


@pytest.fixture(scope="module")
def compact_run(tiny_dataset, tmp_path_factory):
    """A compact run trained for TINY_COMPACT.epochs epochs and exported to TFLite."""
    run_dir = tmp_path_factory.mktemp("compact") / "run"
    train_cnn(tiny_dataset, run_dir, TINY_COMPACT, export=True, verbose=False)
    return run_dir


@pytest.mark.slow
def test_compact_training_lowers_the_loss_and_records_its_architecture(compact_run):
    losses = _losses(compact_run)
    assert len(losses) == TINY_COMPACT.epochs and losses[-1] < losses[0]
    stored = json.loads((compact_run / "config.json").read_text())
    assert (stored["arch"], stored["architecture"], stored["channels"]) == (
        "compact",
        "compact-fer-v1",
        1,
    )
    metrics = json.loads((compact_run / "metrics.json").read_text())
    assert metrics["n_params"] == EXPECTED_PARAMS
    assert metrics["tflite"]["int8"]["bytes"] <= 150_000


@pytest.mark.slow
def test_compact_run_exports_and_evaluates_as_keras_and_int8(compact_run, tiny_dataset):
    for variant in ("keras", "int8"):
        model = load_cnn_model(compact_run, variant=variant)
        assert model.channels == 1
        scores = evaluate_model(model, tiny_dataset, "test")
        assert scores["n"] == len(tiny_dataset.test)
    keras_proba = load_cnn_model(compact_run).predict_proba(tiny_dataset.test.images)
    int8_proba = load_cnn_model(compact_run, variant="int8").predict_proba(tiny_dataset.test.images)
    assert np.abs(keras_proba - int8_proba).max() < 0.1


@pytest.mark.slow
def test_compact_run_resumes_from_its_checkpoint(tiny_dataset, tmp_path):
    config = replace(TINY_COMPACT, epochs=3)
    run_dir = tmp_path / "run"
    first = train_cnn(tiny_dataset, run_dir, config, export=False, time_limit=1e-6, verbose=False)
    assert (first.epochs_done, first.finished) == (1, False)
    assert (run_dir / CHECKPOINT).exists()
    second = train_cnn(tiny_dataset, run_dir, config, resume=True, export=False, verbose=False)
    assert second.finished and second.epochs_done == 3
    assert json.loads((run_dir / STATE).read_text())["epoch"] == 3
    assert len(_losses(run_dir)) == 3


@pytest.mark.slow
def test_weights_of_the_other_architecture_are_refused(trained_run, tiny_dataset, tmp_path):
    # trained_run is a SqueezeNet: neither a compact run's checkpoint nor its initial weights.
    with pytest.raises(RunError, match="another architecture than compact-fer-v1"):
        train_cnn(tiny_dataset, tmp_path / "a", TINY_COMPACT, init_from=trained_run)
    config = replace(TINY_COMPACT, epochs=2)
    run_dir = tmp_path / "b"
    train_cnn(tiny_dataset, run_dir, config, export=False, time_limit=1e-6, verbose=False)
    (run_dir / CHECKPOINT).write_bytes((trained_run / CHECKPOINT).read_bytes())
    with pytest.raises(RunError, match="another architecture than compact-fer-v1"):
        train_cnn(tiny_dataset, run_dir, config, resume=True, verbose=False)


def test_label_smoothing_changes_the_loss_on_a_fixed_batch():
    rng = np.random.default_rng(0)
    labels = keras.utils.to_categorical(rng.integers(0, 7, 16), 7)
    proba = rng.dirichlet(np.full(7, 0.5), 16).astype(np.float32)
    proba = np.clip(proba, 1e-7, 1 - 1e-7)  # as Keras clips before the logarithm
    true_ce = -np.log(proba[labels.astype(bool)]).mean()
    uniform_ce = -np.log(proba).mean(axis=1).mean()
    losses = {}
    for eps in (0.0, 0.2):
        model = build_training_model(replace(TINY_COMPACT, label_smoothing=eps), 1)
        loss = model.compute_loss(y=labels, y_pred=proba)
        losses[eps] = float(keras.ops.convert_to_numpy(loss))
    # Smoothing mixes the cross-entropy with that of the uniform distribution:
    # (1 - eps) * CE + eps * (mean over classes of -log p).
    assert losses[0.0] == pytest.approx(true_ce, rel=1e-5)
    assert losses[0.2] == pytest.approx(0.8 * true_ce + 0.2 * uniform_ce, rel=1e-5)
    assert abs(losses[0.2] - losses[0.0]) > 0.04


def test_optimizers_follow_the_configuration():
    sgd = build_optimizer(replace(TINY_COMPACT, optimizer="sgd", weight_decay=5e-4), 10)
    assert isinstance(sgd, keras.optimizers.SGD)
    assert sgd.nesterov and sgd.momentum == pytest.approx(0.9)
    assert sgd.weight_decay == pytest.approx(5e-4)
    adamw = build_optimizer(replace(TINY_COMPACT, optimizer="adamw", weight_decay=1e-4), 10)
    assert isinstance(adamw, keras.optimizers.AdamW)
    assert adamw.weight_decay == pytest.approx(1e-4)
    assert type(build_optimizer(TINY_COMPACT, 10)) is keras.optimizers.Adam


@pytest.mark.slow
def test_a_resumed_run_is_the_run_it_continues(tiny_dataset, tmp_path):
    # Augmentation (with erasing), dropout and shuffling on: every random stream counts.
    config = replace(
        TINY_COMPACT, epochs=3, augment=True, random_erasing=0.3, dropout=0.2, class_weights=True
    )
    whole = tmp_path / "whole"
    train_cnn(tiny_dataset, whole, config, export=False, verbose=False)
    again = tmp_path / "again"
    train_cnn(tiny_dataset, again, config, export=False, verbose=False)
    cut = tmp_path / "cut"
    first = train_cnn(tiny_dataset, cut, config, export=False, time_limit=1e-6, verbose=False)
    assert first.epochs_done == 1
    train_cnn(tiny_dataset, cut, config, resume=True, export=False, verbose=False)

    def curve(run_dir):
        with open(run_dir / HISTORY, newline="") as f:
            return [(row["loss"], row["val_loss"]) for row in csv.DictReader(f)]

    assert curve(again) == curve(whole)  # the machine is deterministic
    assert curve(cut) == curve(whole)
    final = [keras.saving.load_model(r / CHECKPOINT).get_weights() for r in (whole, cut)]
    for a, b in zip(*final, strict=True):
        np.testing.assert_array_equal(a, b)


def test_epoch_streams_depend_on_seed_and_epoch_only():
    from fer_classic.cnn.streams import EpochBatches, epoch_seed

    x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    y = np.eye(10, dtype=np.float32)

    def epoch_rows(batches, epoch):
        batches.start_epoch(epoch)
        return [batches[i][0].ravel().tolist() for i in range(len(batches))]

    batches = EpochBatches(x, y, batch_size=4, seed=7)
    first, second = epoch_rows(batches, 0), epoch_rows(batches, 1)
    assert epoch_rows(EpochBatches(x, y, batch_size=4, seed=7), 1) == second
    assert first != second and sorted(v for batch in first for v in batch) == list(range(10))
    assert epoch_seed(7, 1) == epoch_seed(7, 1) != epoch_seed(7, 2) != epoch_seed(8, 1)


@pytest.mark.slow
def test_a_run_at_another_input_size_trains_resumes_and_exports(tiny_dataset, tmp_path):
    config = replace(TINY_COMPACT, epochs=2, input_size=56)
    run_dir = tmp_path / "run"
    first = train_cnn(tiny_dataset, run_dir, config, export=False, time_limit=1e-6, verbose=False)
    assert first.epochs_done == 1
    train_cnn(tiny_dataset, run_dir, config, resume=True, export=True, verbose=False)
    assert len(_losses(run_dir)) == 2
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["n_params"] == EXPECTED_PARAMS
    for variant in ("keras", "int8"):
        model = load_cnn_model(run_dir, variant=variant)
        proba = model.predict_proba(tiny_dataset.test.images)
        assert proba.shape == (len(tiny_dataset.test), 7)
    assert evaluate_model(load_cnn_model(run_dir, variant="int8"), tiny_dataset)["n"] > 0
