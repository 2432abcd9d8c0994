"""Random streams of training that depend on (seed, epoch) only, so that resume is exact.

Keras keeps the state of its random generators (augmentation, dropout) outside
the checkpoint, and shuffles each epoch from a generator that restarts with the
process. Here every epoch's batch order and every generator's state are derived
from the run's seed and the epoch's number: a run interrupted at an epoch
boundary and resumed from its checkpoint trains each later epoch on the same
batches with the same random transforms as the uninterrupted run.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from .keras_utils import nested_layers


def epoch_seed(seed: int, epoch: int, stream: int = 0) -> int:
    """A 31-bit seed for random stream ``stream`` of epoch ``epoch`` (0-based) of a run."""
    return int(np.random.SeedSequence([seed, epoch, stream]).generate_state(1)[0] >> 1)


class EpochBatches:
    """Training batches in an order drawn from (seed, epoch), with per-sample weights.

    :class:`EpochStreams` sets the epoch as each one begins. An epoch is fitted
    on :meth:`epoch_arrays` with ``shuffle=False`` and the same batch size, so
    that Keras cuts the same batches in the same order; arrays rather than a
    ``keras.utils.PyDataset``, whose per-batch Python calls cost time per step
    on a 2-core CPU (``benchmarks/cnn_input_pipeline.py``).

    Parameters
    ----------
    x : ndarray of float32, shape (N, 48, 48, channels)
    y : ndarray of float32, shape (N, n_classes)
        One-hot labels.
    batch_size : int
    seed : int
        The run's seed.
    sample_weight : ndarray of float32, shape (N,), optional
        Per-image loss weights (class weights), returned with each batch.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        seed: int,
        sample_weight: np.ndarray | None = None,
    ) -> None:
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = batch_size
        self.seed = seed
        self.start_epoch(0)

    def start_epoch(self, epoch: int) -> None:
        """Draw the batch order of 0-based epoch ``epoch``."""
        self.epoch = epoch
        rng = np.random.default_rng(epoch_seed(self.seed, epoch))
        self.order = rng.permutation(len(self.x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def rows(self, index: int) -> np.ndarray:
        """The rows of batch ``index`` of the current epoch, in ascending order."""
        return np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        return self._take(self.rows(index))

    def epoch_arrays(self) -> tuple[np.ndarray, ...]:
        """``(x, y)`` or ``(x, y, sample_weight)`` of the current epoch: its batches, one
        after the other."""
        return self._take(np.concatenate([self.rows(i) for i in range(len(self))]))

    def _take(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        if self.sample_weight is None:
            return self.x[rows], self.y[rows]
        return self.x[rows], self.y[rows], self.sample_weight[rows]


class EpochStreams(keras.callbacks.Callback):
    """As each epoch begins: its batch order, and every random generator, from (seed, epoch).

    The generators are those of the augmentation layers and of dropout, nested
    models included, in the order of :func:`~.keras_utils.nested_layers`.

    Parameters
    ----------
    seed : int
        The run's seed.
    batches : EpochBatches
        The training batches the model is fitted on.
    """

    def __init__(self, seed: int, batches: EpochBatches) -> None:
        super().__init__()
        self.seed = seed
        self.batches = batches

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.batches.start_epoch(epoch)
        for stream, generator in enumerate(_seed_generators(self.model), start=1):
            state = np.array([epoch_seed(self.seed, epoch, stream), 0])
            generator.state.assign(state.astype(generator.state.dtype))


def _seed_generators(model: keras.Model) -> list[keras.random.SeedGenerator]:
    generators = []
    for layer in nested_layers(model):
        for value in vars(layer).values():
            if isinstance(value, keras.random.SeedGenerator) and value not in generators:
                generators.append(value)
    return generators
