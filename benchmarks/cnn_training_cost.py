"""What training a CNN costs on this machine: work per image, time per epoch.

Usage::

    python benchmarks/cnn_training_cost.py [--arch squeezenet|compact] [--steps S]
        [--batch-size B] [--no-augment] [--epochs E ...]

Builds the model that ``fer-classic train-cnn --arch ARCH`` fits (augmentation,
then the network, with the architecture's recipe), counts its multiply-adds per
image, and times S training steps of B random images (default 5 of the recipe's
batch size, after one warm-up step) and the forward pass that scores the
validation images. From these it projects the seconds of one FER-2013 epoch
(28,709 training and 3,589 validation images) and the hours of E epochs (default:
the recipe's epochs), and the arithmetic rate the training step reaches, counting
the backward pass as twice the forward one. Set ``KERAS_BACKEND`` to time another
backend. Prints a Markdown table.

``cnn_step_speed.py`` times the same step under thread counts, oneDNN, XLA,
channels-first layouts and other Keras backends, each against the default.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time

import keras
from cnn_step import random_batch, step_config

from fer_classic.cnn.architectures import ARCHITECTURES
from fer_classic.cnn.keras_utils import multiply_adds
from fer_classic.cnn.train import build_training_model

#: FER-2013's canonical split: Training, and PublicTest used for validation.
TRAIN_IMAGES = 28_709
VALIDATION_IMAGES = 3_589


def _best_seconds(call, repeats: int) -> float:
    call()  # warm-up: tracing, compilation, allocation
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="squeezenet")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--epochs", type=int, nargs="+")
    args = parser.parse_args()
    config = step_config(args.arch, args.batch_size, augment=not args.no_augment)
    batch = config.batch_size
    steps_per_epoch = math.ceil(TRAIN_IMAGES / batch)
    model = build_training_model(config, steps_per_epoch)
    net = model.get_layer(config.arch)
    x, y = random_batch(config)

    step = _best_seconds(lambda: model.train_on_batch(x, y), args.steps)
    forward = _best_seconds(lambda: net.predict_on_batch(x), args.steps)
    epoch = step * steps_per_epoch + forward * math.ceil(VALIDATION_IMAGES / batch)
    macs = multiply_adds(net)
    gflops = 3 * 2 * macs * batch / step / 1e9

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Keras {keras.__version__} on {keras.backend.backend()}; "
        f"{config.architecture_version}, batch {batch}, "
        f"augmentation {'off' if args.no_augment else 'on'}\n"
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| parameters | {net.count_params():,} |")
    print(f"| multiply-adds per image, forward | {macs / 1e6:.1f} M |")
    print(f"| training step, best of {args.steps} | {step:.2f} s |")
    print(f"| training images per second | {batch / step:.0f} |")
    print(f"| arithmetic rate of a training step (backward = 2x forward) | {gflops:.0f} GFLOP/s |")
    print(f"| one FER-2013 epoch, projected | {epoch:.0f} s |")
    for epochs in args.epochs or [config.epochs]:
        print(f"| {epochs} epochs, projected | {epochs * epoch / 3600:.1f} h |")


if __name__ == "__main__":
    main()
