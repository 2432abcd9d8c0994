"""Inference speed of a CNN run's three forms: Keras, float32 TFLite, int8 TFLite.

Usage::

    python benchmarks/bench_cnn.py RUN_DIR [--faces N] [--repeats R]

Measured on this machine, in one run: faces per second through
:func:`fer_classic.cnn.load_cnn_model` (preprocessing included) for each of the
run's ``model.keras``, ``model_float32.tflite`` and ``model_int8.tflite``, one face
per call (a video frame with one face) and N faces per call (default 256), the
best of R repeats (default 5) after one warm-up call. The reference is the Keras
model: each line gives its speed as a ratio to Keras's. Faces are random uint8
images (speed does not depend on content). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from fer_classic.cnn import load_cnn_model


def _faces_per_second(model, faces: np.ndarray, batch: int, repeats: int) -> float:
    calls = [faces[i : i + batch] for i in range(0, len(faces), batch)]
    model.predict_proba(calls[0])  # warm-up: graph building, tensor allocation
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for chunk in calls:
            model.predict_proba(chunk)
        best = min(best, time.perf_counter() - start)
    return len(faces) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--faces", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    faces = np.random.default_rng(0).integers(0, 256, (args.faces, 48, 48), dtype=np.uint8)
    single = faces[: min(64, args.faces)]
    rows = []
    for variant in ("keras", "float32", "int8"):
        model = load_cnn_model(args.run_dir, variant=variant)
        size = os.path.getsize(model.source)
        one = _faces_per_second(model, single, 1, args.repeats)
        many = _faces_per_second(model, faces, args.faces, args.repeats)
        rows.append((variant, size, one, many))
    keras_one, keras_many = rows[0][2], rows[0][3]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs\n")
    print(
        "| model | size (MiB) | faces/s, 1 per call | vs Keras "
        f"| faces/s, {args.faces} per call | vs Keras |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for variant, size, one, many in rows:
        print(
            f"| {variant} | {size / 2**20:.2f} | {one:.0f} | {one / keras_one:.1f}x "
            f"| {many:.0f} | {many / keras_many:.1f}x |"
        )


if __name__ == "__main__":
    main()
