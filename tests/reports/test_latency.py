"""Latency and throughput: every call is a real, timed call of the model on test images."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.reports.latency import measure_latency, predict_timed


class CountingModel:
    """Records the batch sizes it is called with; scores are the images' mean grey level."""

    def __init__(self):
        self.calls: list[int] = []

    def __call__(self, images: np.ndarray) -> np.ndarray:
        self.calls.append(len(images))
        means = images.reshape(len(images), -1).mean(axis=1)
        return np.stack([means, 255 - means], axis=1)


@pytest.fixture
def images():
    return np.arange(50, dtype=np.uint8)[:, None, None] * np.ones((1, 48, 48), dtype=np.uint8)


def test_latency_times_one_image_per_call_after_warmup(images):
    model = CountingModel()
    latency = measure_latency(model, images, n_images=120, warmup=7)
    assert model.calls == [1] * 127
    assert latency.times_ms.shape == (120,)
    assert np.all(latency.times_ms > 0)
    assert latency.median_ms <= latency.p95_ms <= latency.times_ms.max()
    assert (latency.warmup, latency.n_distinct) == (7, 50)


def test_predict_timed_returns_every_score_in_order(images):
    model = CountingModel()
    scores, throughput = predict_timed(model, images, batch_size=16, min_batches=3)
    np.testing.assert_array_equal(scores, model(images))
    # warm-up batch, then 3 full batches of 16 and the last 2 images; no extra batch needed
    assert model.calls[:5] == [16, 16, 16, 16, 2]
    assert (throughput.batch_size, throughput.n_batches) == (16, 3)
    assert throughput.images_per_s == pytest.approx(48 / throughput.seconds)


def test_predict_timed_fills_small_test_sets_to_whole_batches(images):
    model = CountingModel()
    scores, throughput = predict_timed(model, images[:5], batch_size=256, min_batches=2)
    assert scores.shape == (5, 2)
    assert model.calls == [256, 5, 256, 256]
    assert throughput.n_batches == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_images": 0}, "n_images"), ({"warmup": -1}, "warmup")],
)
def test_bad_latency_arguments(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        measure_latency(CountingModel(), images, **kwargs)


def test_empty_images():
    with pytest.raises(ValueError, match="non-empty"):
        predict_timed(CountingModel(), np.zeros((0, 48, 48), np.uint8))
