"""Seconds per training step of ``train-cnn``'s fit: epoch arrays against a ``PyDataset``.

Usage::

    python benchmarks/cnn_input_pipeline.py [--arch compact] [--steps 30] [--rounds 3]

``train-cnn`` fits each epoch on the arrays of
:meth:`fer_classic.cnn.streams.EpochBatches.epoch_arrays` (its batches one after the
other, ``shuffle=False``). The reference is the same batches served one by one by a
``keras.utils.PyDataset`` over :class:`~fer_classic.cnn.streams.EpochBatches`, the
input pipeline the arrays replaced. Both fit the model of ``build_training_model``
(augmentation on, the architecture's recipe) on ``steps`` batches of random images,
one warm-up epoch each, then ``rounds`` timed epochs taken in turns (arrays,
reference, arrays, ...), so that a change of the machine's load hits both alike.
Prints each one's median seconds per step and the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import keras
import numpy as np

from fer_classic.cnn import CNNConfig
from fer_classic.cnn.architectures import ARCHITECTURES
from fer_classic.cnn.streams import EpochBatches
from fer_classic.cnn.train import build_training_model


class _BatchesDataset(keras.utils.PyDataset):
    """The batches of an :class:`EpochBatches`, one ``__getitem__`` call each."""

    def __init__(self, batches: EpochBatches) -> None:
        super().__init__()
        self.batches = batches

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        return self.batches[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="compact")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    config = CNNConfig.for_architecture(args.arch).validate()
    n = config.batch_size * args.steps
    rng = np.random.default_rng(0)
    x = rng.random((n, 48, 48, config.channels), dtype=np.float32)
    y = keras.utils.to_categorical(np.arange(n) % 7, 7).astype(np.float32)
    batches = EpochBatches(x, y, config.batch_size, config.seed)
    models = {name: build_training_model(config, args.steps) for name in ("arrays", "PyDataset")}

    def epoch(name: str, index: int) -> float:
        batches.start_epoch(index)
        start = time.perf_counter()
        if name == "arrays":
            x_epoch, y_epoch = batches.epoch_arrays()
            models[name].fit(
                x_epoch, y_epoch, batch_size=config.batch_size, shuffle=False, verbose=0
            )
        else:
            models[name].fit(_BatchesDataset(batches), shuffle=False, verbose=0)
        return (time.perf_counter() - start) / args.steps

    for name in models:
        epoch(name, 0)  # tracing and compilation
    times: dict[str, list[float]] = {name: [] for name in models}
    for index in range(1, args.rounds + 1):
        for name in models:
            times[name].append(epoch(name, index))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, Keras {keras.__version__} on "
        f"{keras.backend.backend()}; {config.architecture_version}, batch "
        f"{config.batch_size}, augmentation on; {args.rounds} timed epochs of "
        f"{args.steps} steps each, in turns; load average {os.getloadavg()[0]:.2f} at the end\n"
    )
    print("| input pipeline | seconds per step, median | rounds |")
    print("|---|---:|---|")
    for name, values in times.items():
        print(f"| {name} | {median[name]:.3f} | {', '.join(f'{v:.3f}' for v in values)} |")
    print(f"\nPyDataset / arrays: {median['PyDataset'] / median['arrays']:.2f}x")


if __name__ == "__main__":
    main()
