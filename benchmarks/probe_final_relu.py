"""Does the final 1x1 convolution's ReLU die in the first steps of training?

Usage::

    python benchmarks/probe_final_relu.py [--data PATH] [--placement output]
        [--images 2560] [--epochs 3] [--init glorot small] [--final-bias B]

Trains the training model of ``fer-classic train-cnn`` (augmentation, class
weights, Adam 1e-3, batch 256) on the first N images of a seeded permutation of
FER-2013's ``Training`` split, once per initialisation of the final convolution's
kernel: Keras's Glorot uniform, or ``small``, N(0, 0.01) as torchvision's
SqueezeNet; ``--final-bias`` sets that convolution's initial bias (Keras: 0).
After each epoch it prints the loss and, per class, the fraction of
the final ReLU's outputs (over 512 ``PublicTest`` images and all 3x3 positions)
that are above zero: all zero means a dead classifier whose softmax is uniform
for ever. Runs on a CPU in minutes. Data: ``--data``, else ``$FER2013_PATH``,
else ``../shared/datasets/fer2013``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fer_classic.data import find_fer2013, load_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="fer2013.csv(.gz); default: $FER2013_PATH or ../shared")
    parser.add_argument("--placement", choices=("every_conv", "output"), default="output")
    parser.add_argument("--images", type=int, default=2560)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(
        "--init", nargs="+", choices=("glorot", "small"), default=["glorot", "small"]
    )
    parser.add_argument("--final-bias", type=float, default=0.0, metavar="B")
    args = parser.parse_args()
    path = args.data or find_fer2013()
    if path is None:
        print("skipped: FER-2013 not found (pass --data or set FER2013_PATH)")
        return

    import keras

    from fer_classic.cnn import CNNConfig
    from fer_classic.cnn.preprocess import to_model_input
    from fer_classic.cnn.train import build_training_model, class_weights

    data = load_dataset(path, split="canonical")
    rows = np.random.default_rng(0).permutation(len(data.train))[: args.images]
    x = to_model_input(data.train.images[rows], 3)
    y = keras.utils.to_categorical(data.train.labels[rows], 7)
    x_val = to_model_input(data.val.images[:512], 3)
    weights = class_weights(data.train.labels, 7)
    for init in args.init:
        keras.utils.set_random_seed(0)
        model = build_training_model(CNNConfig(dropout_placement=args.placement), 100)
        final = model.get_layer("squeezenet").get_layer("conv_final")
        if init == "small":
            kernel = np.random.default_rng(0).normal(0.0, 0.01, final.kernel.shape)
            final.kernel.assign(kernel.astype("float32"))
        final.bias.assign(np.full(final.bias.shape, args.final_bias, dtype="float32"))
        net = model.get_layer("squeezenet")
        probe = keras.Model(net.input, final.output)
        for epoch in range(1, args.epochs + 1):
            start = time.perf_counter()
            history = model.fit(x, y, batch_size=256, epochs=1, verbose=0, class_weight=weights)
            active = (probe.predict(x_val, verbose=0).reshape(-1, 7) > 0).mean(axis=0)
            print(
                f"placement {args.placement}, init {init}, bias {args.final_bias:g}, "
                f"epoch {epoch}: "
                f"loss {history.history['loss'][0]:.4f}, active per class "
                f"{np.array2string(active, precision=2)} "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
