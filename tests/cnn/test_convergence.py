"""Seed 002's mean convergence and overfitting rates against hand-computed values."""

from __future__ import annotations

import math

import pytest

from fer_classic.cnn.convergence import convergence_rate, learning_metrics, overfitting_rate

# Seven epochs of a made-up run: training accuracy rises, validation accuracy stalls.
TRAIN_ACC = [0.30, 0.40, 0.46, 0.50, 0.56, 0.60, 0.70]
VAL_ACC = [0.32, 0.38, 0.42, 0.44, 0.45, 0.45, 0.44]
TRAIN_LOSS = [1.80, 1.50, 1.40, 1.30, 1.20, 1.10, 0.90]
VAL_LOSS = [1.70, 1.60, 1.55, 1.52, 1.52, 1.54, 1.60]
HISTORY = [
    {"epoch": i + 1, "accuracy": a, "val_accuracy": va, "loss": lo, "val_loss": vl}
    for i, (a, va, lo, vl) in enumerate(zip(TRAIN_ACC, VAL_ACC, TRAIN_LOSS, VAL_LOSS, strict=True))
]


def test_convergence_rate_is_the_mean_change_per_epoch():
    # Epochs 1-7: six changes adding up to 0.70 - 0.30.
    assert convergence_rate(TRAIN_ACC) == pytest.approx(0.40 / 6)
    # Epochs 1-5: changes 0.10, 0.06, 0.04, 0.06.
    assert convergence_rate(TRAIN_ACC, 1, 5) == pytest.approx(0.26 / 4)
    # Epochs 6-7: changes 0.60 - 0.56 and 0.70 - 0.60, from the epoch before the window.
    assert convergence_rate(TRAIN_ACC, 6, 10) == pytest.approx(0.07)
    assert convergence_rate(TRAIN_LOSS, 1, 5) == pytest.approx(-0.15)


def test_a_window_without_a_previous_epoch_has_no_rate():
    assert math.isnan(convergence_rate([0.5]))
    assert math.isnan(convergence_rate(TRAIN_ACC, 1, 1))
    with pytest.raises(ValueError, match="start must be at least 1"):
        convergence_rate(TRAIN_ACC, 0, 3)


def test_overfitting_rate_is_the_mean_widening_of_the_gap():
    # Gap train - val: -0.02, 0.02, 0.04, 0.06, 0.11, 0.15, 0.26.
    assert overfitting_rate(TRAIN_ACC, VAL_ACC) == pytest.approx(0.28 / 6)
    assert overfitting_rate(TRAIN_ACC, VAL_ACC, 1, 5) == pytest.approx(0.13 / 4)
    # Loss gap: 0.10, -0.10, -0.15, -0.22, -0.32, -0.44, -0.70.
    assert overfitting_rate(TRAIN_LOSS, VAL_LOSS) == pytest.approx(-0.80 / 6)
    with pytest.raises(ValueError, match="differ in shape"):
        overfitting_rate(TRAIN_ACC, VAL_ACC[:3])


def test_learning_metrics_of_a_history():
    metrics = learning_metrics(HISTORY)
    assert metrics["initial"] == {
        "accuracy": 0.30,
        "val_accuracy": 0.32,
        "loss": 1.80,
        "val_loss": 1.70,
    }
    mcr, mofr = metrics["mcr"], metrics["mofr"]
    assert mcr["accuracy"]["all"] == pytest.approx(0.40 / 6, abs=1e-6)
    assert [w["epochs"] for w in mcr["accuracy"]["windows"]] == [[1, 5], [6, 7]]
    assert [w["rate"] for w in mcr["accuracy"]["windows"]] == pytest.approx([0.065, 0.07])
    assert mcr["loss"]["windows"][0]["rate"] == pytest.approx(-0.15)
    assert mofr["accuracy"]["windows"][0]["rate"] == pytest.approx(0.0325)
    assert mofr["loss"]["all"] == pytest.approx(-0.80 / 6, abs=1e-6)


def test_one_epoch_gives_initial_figures_and_no_rates():
    metrics = learning_metrics(HISTORY[:1])
    assert metrics["initial"]["accuracy"] == 0.30
    no_rate = {"all": None, "windows": [{"epochs": [1, 1], "rate": None}]}
    assert metrics["mcr"]["accuracy"] == metrics["mofr"]["loss"] == no_rate
    assert learning_metrics([]) == {}
