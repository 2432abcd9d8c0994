"""What training the SqueezeNet costs on this machine: work per image, time per epoch.

Usage::

    python benchmarks/cnn_training_cost.py [--steps S] [--batch-size B] [--no-augment]
        [--epochs E ...]

Builds the model that ``fer-classic train-cnn`` fits (augmentation, then the
SqueezeNet, Adam; the default configuration), counts the multiply-adds of its
convolutions per image, and times S training steps of B random images (default 5
of 256, after one warm-up step) and the forward pass that scores the validation
images. From these it projects the seconds of one FER-2013 epoch (28,709
training and 3,589 validation images) and the hours of E epochs (default 150 and
300), and the arithmetic rate the training step reaches, counting the backward
pass as twice the forward one. Set ``KERAS_BACKEND`` to time another backend.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time

import keras
import numpy as np

from fer_classic.cnn.config import CNNConfig
from fer_classic.cnn.keras_utils import nested_layers
from fer_classic.cnn.train import build_training_model

#: FER-2013's canonical split: Training, and PublicTest used for validation.
TRAIN_IMAGES = 28_709
VALIDATION_IMAGES = 3_589


def conv_multiply_adds(model: keras.Model) -> int:
    """Multiply-adds of the convolutions of ``model`` (nested models included) per image."""
    total = 0
    for layer in nested_layers(model):
        if isinstance(layer, keras.layers.Conv2D):
            _, height, width, filters = layer.output.shape
            k_height, k_width, in_channels, _ = layer.kernel.shape
            total += height * width * filters * k_height * k_width * in_channels
    return total


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
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--epochs", type=int, nargs="+", default=[150, 300])
    args = parser.parse_args()
    config = CNNConfig(batch_size=args.batch_size, augment=not args.no_augment)
    steps_per_epoch = math.ceil(TRAIN_IMAGES / args.batch_size)
    model = build_training_model(config, steps_per_epoch)
    net = model.get_layer("squeezenet")
    rng = np.random.default_rng(0)
    x = rng.random((args.batch_size, 48, 48, 3), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 7, args.batch_size), 7)

    step = _best_seconds(lambda: model.train_on_batch(x, y), args.steps)
    forward = _best_seconds(lambda: net.predict_on_batch(x), args.steps)
    epoch = step * steps_per_epoch + forward * math.ceil(VALIDATION_IMAGES / args.batch_size)
    macs = conv_multiply_adds(net)
    gflops = 3 * 2 * macs * args.batch_size / step / 1e9

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Keras {keras.__version__} on {keras.backend.backend()}; "
        f"batch {args.batch_size}, augmentation {'off' if args.no_augment else 'on'}\n"
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| parameters | {net.count_params():,} |")
    print(f"| convolution multiply-adds per image, forward | {macs / 1e6:.1f} M |")
    print(f"| training step, best of {args.steps} | {step:.2f} s |")
    print(f"| training images per second | {args.batch_size / step:.0f} |")
    print(f"| arithmetic rate of a training step (backward = 2x forward) | {gflops:.0f} GFLOP/s |")
    print(f"| one FER-2013 epoch, projected | {epoch:.0f} s |")
    for epochs in args.epochs:
        print(f"| {epochs} epochs, projected | {epochs * epoch / 3600:.1f} h |")


if __name__ == "__main__":
    main()
