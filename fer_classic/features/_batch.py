"""Run a batch extractor over a large batch: in chunks, optionally in parallel.

Chunks bound peak memory (and keep intermediate arrays in cache, which is what
makes the numpy code fast); ``n_jobs`` spreads contiguous parts of the batch
over joblib workers (processes), each of which walks its part chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

Extractor = Callable[..., np.ndarray]


def _run_chunks(func: Extractor, images: np.ndarray, chunk_size: int, kwargs: dict) -> np.ndarray:
    first = func(images[:chunk_size], **kwargs)
    if len(images) <= chunk_size:
        return first
    out = np.empty((len(images), first.shape[1]), dtype=first.dtype)
    out[:chunk_size] = first
    for start in range(chunk_size, len(images), chunk_size):
        out[start : start + chunk_size] = func(images[start : start + chunk_size], **kwargs)
    return out


def map_chunks(
    func: Extractor,
    images: np.ndarray,
    *,
    chunk_size: int,
    n_jobs: int | None = None,
    **kwargs,
) -> np.ndarray:
    """Return ``func(images, **kwargs)``, computed ``chunk_size`` images at a time.

    ``func`` maps a uint8 ``(n, H, W)`` batch to an ``(n, D)`` array and must be
    importable (it is sent to worker processes when ``n_jobs`` is not 1).
    ``n_jobs`` follows joblib: None or 1 runs here, -1 uses every core.
    """
    n_chunks = -(-len(images) // chunk_size)
    n_workers = min(effective_n_jobs(n_jobs), n_chunks)
    if n_workers <= 1:
        return _run_chunks(func, images, chunk_size, kwargs)
    # A few parts per worker balance the load; each part is a whole number of chunks.
    part = chunk_size * -(-n_chunks // (4 * n_workers))
    parts = Parallel(n_jobs=n_workers)(
        delayed(_run_chunks)(func, images[start : start + part], chunk_size, kwargs)
        for start in range(0, len(images), part)
    )
    return np.concatenate(parts)
