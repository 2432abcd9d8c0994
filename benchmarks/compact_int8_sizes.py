"""int8 TFLite file size of the compact CNN for several block widths.

Usage::

    python benchmarks/compact_int8_sizes.py [--widths 16,48,96,128 16,48,96,160 ...]

Builds ``build_compact(block_widths=...)`` with fresh weights for each width list,
exports it to int8 TensorFlow Lite (calibrated on 50 random images) and prints its
parameters and file size. Trained weights change the size a little; the packaged
file's size is in its model card.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from fer_classic.cnn.compact import build_compact
from fer_classic.cnn.export import export_tflite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--widths", nargs="+", default=["16,48,96,128", "16,32,96,160", "16,48,96,160"]
    )
    args = parser.parse_args()
    images = np.random.default_rng(0).integers(0, 256, (50, 48, 48), dtype=np.uint8)
    print("| block widths | parameters | int8 file |")
    print("|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for text in args.widths:
            widths = tuple(int(w) for w in text.split(","))
            model = build_compact(block_widths=widths)
            size = export_tflite(
                model, Path(tmp) / "m.tflite", quantization="int8", representative_images=images
            )
            print(f"| {text} | {model.count_params():,} | {size:,} B |")


if __name__ == "__main__":
    main()
