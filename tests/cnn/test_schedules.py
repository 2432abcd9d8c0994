"""Learning-rate schedules: cosine with warm-up, and reduction on a plateau."""

from __future__ import annotations

from dataclasses import replace

import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn.callbacks import EpochRecorder, learning_rate_schedule  # noqa: E402
from fer_classic.cnn.config import CNNConfig  # noqa: E402


def _at(schedule, step: int) -> float:
    return float(keras.ops.convert_to_numpy(schedule(step)))


def test_cosine_warms_up_then_decays_to_the_minimum():
    config = CNNConfig(epochs=10, warmup_epochs=2, learning_rate=1e-3, min_learning_rate=1e-5)
    schedule = learning_rate_schedule(config, steps_per_epoch=5)
    assert _at(schedule, 0) == pytest.approx(0.0, abs=1e-9)
    assert _at(schedule, 5) == pytest.approx(5e-4, rel=1e-4)
    assert _at(schedule, 10) == pytest.approx(1e-3, rel=1e-4)
    assert _at(schedule, 50) == pytest.approx(1e-5, rel=1e-3)


def test_constant_and_plateau_start_from_thelearning_rate_schedule():
    for name in ("constant", "plateau"):
        assert learning_rate_schedule(CNNConfig(lr_schedule=name, learning_rate=3e-4), 7) == 3e-4


def test_plateau_halves_the_rate_after_patience_epochs_without_progress(tmp_path):
    config = replace(
        CNNConfig(), lr_schedule="plateau", reduce_lr_patience=2, min_learning_rate=3e-4
    )
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    recorder = EpochRecorder(
        tmp_path, config, {"epoch": 0}, net_name="net", time_limit=None, verbose=False
    )
    recorder.state.update(plateau_best_loss=None, plateau_wait=0)
    recorder.set_model(model)

    def lr() -> float:
        return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))

    recorder._plateau(1.0, lr())  # first loss: the best so far
    recorder._plateau(1.0, lr())  # one epoch without progress
    assert lr() == pytest.approx(1e-3)
    recorder._plateau(1.0, lr())  # two: halve
    assert lr() == pytest.approx(5e-4)
    recorder._plateau(0.5, lr())  # progress resets the count
    recorder._plateau(0.6, lr())
    recorder._plateau(0.6, lr())  # two again: halve, but not below the minimum
    assert lr() == pytest.approx(3e-4)
