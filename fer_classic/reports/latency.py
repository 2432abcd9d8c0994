"""Inference time measured on this machine: batch-1 latency and batched throughput.

Every figure is a wall-clock measurement (:func:`time.perf_counter`) of the model's
own predict call on real test images, after warm-up calls that are not timed. For
a classical pipeline the call includes feature extraction, since its first step
takes the uint8 images. Nothing is estimated or extrapolated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: A model's predict call: uint8 images ``(N, 48, 48)`` to scores ``(N, n_classes)``.
PredictFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Latency:
    """Batch-1 times: ``times_ms`` float64 ``(n,)`` in milliseconds, one per image."""

    times_ms: np.ndarray
    warmup: int
    n_distinct: int

    @property
    def median_ms(self) -> float:
        return float(np.median(self.times_ms))

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(self.times_ms, 95))


@dataclass(frozen=True)
class Throughput:
    """Images per second over ``n_batches`` timed batches of ``batch_size`` images."""

    images_per_s: float
    batch_size: int
    n_batches: int
    seconds: float


def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be a non-empty (N, H, W) batch, got shape {images.shape}")
    return images


def measure_latency(
    predict: PredictFn, images: np.ndarray, *, n_images: int = 200, warmup: int = 10
) -> Latency:
    """Time ``predict`` on one image at a time.

    Parameters
    ----------
    predict : callable
        Takes uint8 ``(1, 48, 48)`` and returns scores.
    images : ndarray of uint8, shape (N, 48, 48)
        Test images, timed in order; when ``N < n_images`` they are cycled.
    n_images : int
        Calls timed.
    warmup : int
        Untimed calls before, on the first images.

    Returns
    -------
    Latency
        One time per call, in milliseconds.
    """
    images = _check_images(images)
    if n_images < 1 or warmup < 0:
        raise ValueError(f"need n_images >= 1 and warmup >= 0, got {n_images} and {warmup}")
    n = len(images)
    for i in range(warmup):
        predict(images[i % n : i % n + 1])
    times = np.empty(n_images, dtype=np.float64)
    for k in range(n_images):
        one = images[k % n : k % n + 1]
        start = time.perf_counter()
        predict(one)
        times[k] = time.perf_counter() - start
    return Latency(times * 1e3, warmup, min(n, n_images))


def predict_timed(
    predict: PredictFn, images: np.ndarray, *, batch_size: int = 256, min_batches: int = 3
) -> tuple[np.ndarray, Throughput]:
    """Scores of every image, predicted in batches, and the throughput that took.

    One untimed warm-up batch comes first. Each full batch of the pass over
    ``images`` is timed; when that gives fewer than ``min_batches`` (fewer images
    than ``min_batches * batch_size``), a batch of the test images cycled to
    ``batch_size`` is timed until it does.

    Returns
    -------
    scores : ndarray, shape (N, n_classes)
    throughput : Throughput
    """
    images = _check_images(images)
    if batch_size < 1 or min_batches < 1:
        raise ValueError(f"need batch_size, min_batches >= 1, got {batch_size}, {min_batches}")
    n = len(images)
    full = images[np.arange(batch_size) % n]
    predict(full)  # warm-up
    parts, times = [], []
    for start in range(0, n, batch_size):
        batch = images[start : start + batch_size]
        t0 = time.perf_counter()
        parts.append(np.asarray(predict(batch)))
        elapsed = time.perf_counter() - t0
        if len(batch) == batch_size:
            times.append(elapsed)
    while len(times) < min_batches:
        t0 = time.perf_counter()
        predict(full)
        times.append(time.perf_counter() - t0)
    seconds = float(sum(times))
    throughput = Throughput(batch_size * len(times) / seconds, batch_size, len(times), seconds)
    return np.concatenate(parts), throughput
