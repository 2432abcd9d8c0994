"""Where int8 quantization loses accuracy: per-layer error, with and without the rewrite.

Usage::

    python benchmarks/int8_layer_errors.py RUN_DIR [--data PATH] [--calibration 1000]
        [--debug-images 300]

Converts the run's ``model.keras`` to full-integer int8 TensorFlow Lite twice, as
trained and after :func:`fer_classic.cnn.export.batchnorm_as_depthwise` (what
``fer-classic train-cnn`` exports), calibrated on the same training images as the
export. For each it prints the test accuracy of the int8 model, its top-1
agreement with the Keras model, and TensorFlow Lite's ``QuantizationDebugger``
error per quantized tensor on the first validation images: the root-mean-square
difference from the float tensor in units of that tensor's quantization step
(about 0.3 is rounding alone; more means clipping or a scale too coarse for some
channels). Data: ``--data``, else ``$FER2013_PATH``, else
``../shared/datasets/fer2013``.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
from pathlib import Path

import numpy as np

from fer_classic.data import find_fer2013, load_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--data", help="fer2013.csv(.gz); default: $FER2013_PATH or ../shared")
    parser.add_argument("--calibration", type=int, default=1000, metavar="N")
    parser.add_argument("--debug-images", type=int, default=300, metavar="N")
    parser.add_argument(
        "--show",
        type=float,
        default=1.0,
        metavar="STEPS",
        help="list tensors whose error exceeds this many steps (default: 1)",
    )
    args = parser.parse_args()
    path = args.data or find_fer2013()
    if path is None:
        print("skipped: FER-2013 not found (pass --data or set FER2013_PATH)")
        return

    import tensorflow as tf

    from fer_classic.cnn.export import (
        batchnorm_as_depthwise,
        representative_sample,
        tflite_converter,
    )
    from fer_classic.cnn.predictor import KerasCNN, TFLiteCNN, load_keras_model
    from fer_classic.cnn.preprocess import to_model_input
    from fer_classic.cnn.train import N_REPRESENTATIVE

    data = load_dataset(path, split="canonical")
    model = load_keras_model(args.run_dir / "model.keras")
    calibration = representative_sample(data.train.images, args.calibration, seed=0)
    debug = to_model_input(data.val.images[: args.debug_images], int(model.input_shape[-1]))
    keras_top1 = KerasCNN(model).predict_proba(data.test.images).argmax(axis=1)
    print(
        f"{args.run_dir}: Keras test accuracy {np.mean(keras_top1 == data.test.labels):.4f}; "
        f"calibration {args.calibration} training images (the export uses {N_REPRESENTATIVE})"
    )
    for title, candidate in (
        ("as trained", model),
        ("batch normalization as depthwise convolution", batchnorm_as_depthwise(model)),
    ):
        with tflite_converter(
            candidate, quantization="int8", representative_images=calibration
        ) as converter:
            flatbuffer = converter.convert()
            converter.inference_input_type = tf.float32
            converter.inference_output_type = tf.float32
            debugger = tf.lite.experimental.QuantizationDebugger(
                converter=converter,
                debug_dataset=lambda: ([debug[i : i + 1]] for i in range(len(debug))),
            )
            debugger.run()
        buffer = io.StringIO()
        debugger.layer_statistics_dump(buffer)
        buffer.seek(0)
        rows = list(csv.DictReader(buffer))
        with tempfile.TemporaryDirectory() as folder:
            tflite_path = Path(folder) / "int8.tflite"
            tflite_path.write_bytes(flatbuffer)
            int8_top1 = TFLiteCNN(tflite_path).predict_proba(data.test.images).argmax(axis=1)
        steps = np.array(
            [
                float(r["mean_squared_error"]) ** 0.5 / float(r["scale"])
                if float(r["scale"])
                else 0.0
                for r in rows
            ]
        )
        print(
            f"\n## {title}: {len(flatbuffer):,} bytes, test accuracy "
            f"{np.mean(int8_top1 == data.test.labels):.4f}, same top-1 as Keras on "
            f"{np.mean(int8_top1 == keras_top1):.1%} of the test images"
        )
        print(
            f"{len(rows)} quantized tensors; error in steps: median {np.median(steps):.2f}, "
            f"max {steps.max():.2f}; above {args.show}: {int(np.sum(steps > args.show))}"
        )
        for row, error in zip(rows, steps, strict=True):
            if error > args.show:
                print(f"  {row['op_name']:<16} {error:6.2f}  {row['tensor_name'].split(';')[0]}")


if __name__ == "__main__":
    main()
