"""``fer-classic train-cnn``: a CNN of any registered architecture, trained and exported."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..cnn.architectures import ARCHITECTURES
from ..cnn.config import DROPOUT_PLACEMENTS, LR_SCHEDULES, OPTIMIZERS, SQUEEZE_ORDERS, CNNConfig
from ..errors import FerClassicError
from .common import add_data_options, load_data_from_args

#: The training settings as options: CNNConfig field -> (flag, add_argument keywords).
#: Their defaults are the chosen architecture's recipe (``CNNConfig.for_architecture``).
_SETTINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "input_size": (
        "--input-size",
        {
            "type": int,
            "metavar": "PIXELS",
            "help": "side to which the network resizes the 48x48 face first (48: none)",
        },
    ),
    "epochs": ("--epochs", {"type": int, "help": "epochs"}),
    "weights": (
        "--weights",
        {
            "metavar": "none|imagenet|PATH",
            "help": (
                "initial weights of a backbone (mobilenet, resnet50): random, ImageNet's "
                "(Keras fetches them once; needs the internet) or a backbone weights file"
            ),
        },
    ),
    "trainable_layers": (
        "--trainable-layers",
        {
            "type": int,
            "metavar": "N",
            "help": "train only the backbone's last N layers (-1: all; seed 002 trains 4)",
        },
    ),
    "batch_size": ("--batch-size", {"type": int, "metavar": "N", "help": "images per step"}),
    "learning_rate": (
        "--learning-rate",
        {"type": float, "metavar": "LR", "help": "initial (or peak, after warm-up) learning rate"},
    ),
    "optimizer": (
        "--optimizer",
        {
            "choices": OPTIMIZERS,
            "help": "adam, adamw (decoupled weight decay) or sgd (Nesterov momentum 0.9)",
        },
    ),
    "weight_decay": (
        "--weight-decay",
        {"type": float, "metavar": "WD", "help": "decoupled weight decay of adamw and sgd"},
    ),
    "label_smoothing": (
        "--label-smoothing",
        {"type": float, "metavar": "EPS", "help": "label smoothing of the cross-entropy loss"},
    ),
    "lr_schedule": (
        "--lr-schedule",
        {
            "choices": LR_SCHEDULES,
            "help": (
                "cosine: decay to --min-learning-rate at the last epoch; plateau: multiply by "
                "--reduce-lr-factor after --reduce-lr-patience epochs without a better "
                "validation loss; constant"
            ),
        },
    ),
    "warmup_epochs": (
        "--warmup-epochs",
        {"type": int, "metavar": "EPOCHS", "help": "linear warm-up of the cosine schedule"},
    ),
    "reduce_lr_factor": (
        "--reduce-lr-factor",
        {"type": float, "metavar": "F", "help": "plateau schedule's factor"},
    ),
    "reduce_lr_patience": (
        "--reduce-lr-patience",
        {"type": int, "metavar": "EPOCHS", "help": "plateau schedule's patience"},
    ),
    "min_learning_rate": (
        "--min-learning-rate",
        {
            "type": float,
            "metavar": "LR",
            "help": "end of the cosine schedule, floor of the plateau one",
        },
    ),
    "early_stopping_patience": (
        "--early-stopping",
        {
            "type": int,
            "metavar": "EPOCHS",
            "help": (
                "stop after this many epochs without a better validation accuracy; "
                "0 never stops early"
            ),
        },
    ),
    "rotation_degrees": (
        "--rotation",
        {"type": float, "metavar": "DEGREES", "help": "augmentation: largest rotation either way"},
    ),
    "shift": (
        "--shift",
        {
            "type": float,
            "metavar": "F",
            "help": "augmentation: largest shift, fraction of the side",
        },
    ),
    "shear": (
        "--shear",
        {
            "type": float,
            "metavar": "F",
            "help": "augmentation: largest shear, fraction of the side",
        },
    ),
    "zoom": (
        "--zoom",
        {"type": float, "metavar": "F", "help": "augmentation: largest zoom in or out"},
    ),
    "random_erasing": (
        "--random-erasing",
        {
            "type": float,
            "metavar": "P",
            "help": "augmentation: probability of erasing a random rectangle of an image",
        },
    ),
    "channels": (
        "--channels",
        {
            "type": int,
            "choices": (1, 3),
            "help": "input channels; 3 repeats the grey image as the thesis does",
        },
    ),
    "dropout": (
        "--dropout",
        {
            "type": float,
            "help": "dropout rate: in the SqueezeNet's fire modules, before the compact CNN's "
            "classifier",
        },
    ),
    "dropout_placement": (
        "--dropout-placement",
        {
            "choices": DROPOUT_PLACEMENTS,
            "help": (
                "squeezenet: every_conv puts dropout behind the squeeze and both expand "
                "convolutions (the thesis's wording); output once on each fire module's output"
            ),
        },
    ),
    "squeeze_order": (
        "--squeeze-order",
        {
            "choices": SQUEEZE_ORDERS,
            "help": (
                "squeezenet: relu_bn puts batch normalization behind the squeeze convolution's "
                "ReLU; bn_relu between them"
            ),
        },
    ),
}

#: Boolean settings, each with a ``--NAME`` / ``--no-NAME`` pair.
_SWITCHES: dict[str, tuple[str, str]] = {
    "augment": ("--augment", "augment the training images (the transforms above)"),
    "horizontal_flip": ("--flip", "augmentation: mirror half of the images"),
    "class_weights": ("--class-weights", "weight the loss by balanced class weights"),
    "logit_adjustment": (
        "--logit-adjustment",
        "after training, subtract tau * log(class prior) from the logits, tau chosen by "
        "validation macro-F1 (networks ending in a dense softmax; a resumed run may change it)",
    ),
}


def _defaults_text(name: str) -> str:
    """``default: 0.2 (squeezenet), 0.1 (compact)``, or one value where all agree."""
    values = {arch: getattr(CNNConfig.for_architecture(arch), name) for arch in ARCHITECTURES}
    if len(set(values.values())) == 1:
        return f"default: {next(iter(values.values()))}"
    return "default: " + ", ".join(f"{value} ({arch})" for arch, value in values.items())


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train-cnn",
        help="train a CNN (the thesis's SqueezeNet or the compact one) and export it",
        description=(
            "Train a CNN with augmentation on the training split; checkpoint the best "
            "validation accuracy, score it on the test split and export float32 and int8 "
            "TensorFlow Lite models. --arch squeezenet is the thesis's customized SqueezeNet "
            "(simple bypass, 11 fire modules, batch normalization and dropout in each), "
            "--arch compact a separable residual CNN that a laptop trains in under an hour; "
            "each trains with its own recipe unless an option says otherwise. Results go to a "
            "run directory; --resume continues an interrupted run from its last epoch."
        ),
    )
    add_data_options(parser)
    group = parser.add_argument_group("training")
    group.add_argument(
        "--arch",
        choices=sorted(ARCHITECTURES),
        default="squeezenet",
        help="; ".join(f"{a.name}: {a.summary}" for a in ARCHITECTURES.values())
        + " (default: %(default)s)",
    )
    group.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="run directory (default: runs/ARCH)",
    )
    for name, (flag, keywords) in _SETTINGS.items():
        help_text = f"{keywords['help']} ({_defaults_text(name)})"
        group.add_argument(flag, dest=name, **{**keywords, "help": help_text})
    for name, (flag, help_text) in _SWITCHES.items():
        group.add_argument(
            flag,
            dest=name,
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"{help_text} ({_defaults_text(name)})",
        )
    group.add_argument(
        "--init-from",
        type=Path,
        metavar="RUN_OR_KERAS",
        help=(
            "start from the weights of a trained CNN run (its model.keras) or a .keras file "
            "of the same architecture, e.g. to fine-tune it on other data"
        ),
    )
    group.add_argument(
        "--resume", action="store_true", help="continue the run in --out from its last epoch"
    )
    group.add_argument(
        "--finish",
        action="store_true",
        help=(
            "with --resume: train no further; score and export the best epoch of a run "
            "that stopped early (e.g. at --time-limit)"
        ),
    )
    group.add_argument(
        "--force", action="store_true", help="start over in --out, deleting the run it holds"
    )
    group.add_argument(
        "--no-export", action="store_true", help="do not export TensorFlow Lite models"
    )
    group.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="stop at the end of the epoch that would pass this time; --resume goes on",
    )
    parser.set_defaults(func=run)


def config_from_args(args: argparse.Namespace) -> CNNConfig:
    """The ``CNNConfig`` the options name: the architecture's recipe, then the options given."""
    given = {
        name: getattr(args, name)
        for name in (*_SETTINGS, *_SWITCHES)
        if getattr(args, name) is not None
    }
    try:
        return CNNConfig.for_architecture(args.arch, seed=args.seed, **given).validate()
    except ValueError as exc:
        raise FerClassicError(f"train-cnn: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from ..cnn.train import train_cnn

    config = config_from_args(args)
    if args.finish and not args.resume:
        raise FerClassicError("train-cnn: --finish needs --resume")
    if args.time_limit is not None and not args.time_limit > 0:
        raise FerClassicError(f"train-cnn: --time-limit must be positive, got {args.time_limit}")
    out = args.out if args.out is not None else Path("runs") / config.arch
    dataset = load_data_from_args(args)
    result = train_cnn(
        dataset,
        out,
        config,
        resume=args.resume,
        force=args.force,
        export=not args.no_export,
        time_limit=args.time_limit,
        finish=args.finish,
        init_from=args.init_from,
    )
    if not result.finished:
        print(
            f"stopped after epoch {result.epochs_done} ({result.stop_reason}); "
            f"continue with --resume --out {result.run_dir}"
        )
    else:
        print(f"run directory: {result.run_dir}")
    return 0
