"""``fer-classic train-cnn``: the thesis's customized SqueezeNet, trained and exported."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cnn.config import DROPOUT_PLACEMENTS, LR_SCHEDULES, SQUEEZE_ORDERS, CNNConfig
from ..errors import FerClassicError
from .common import add_data_options, load_data_from_args


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    defaults = CNNConfig()
    parser = subparsers.add_parser(
        "train-cnn",
        help="train the customized SqueezeNet and export it to TensorFlow Lite",
        description=(
            "Train the thesis's customized SqueezeNet (simple bypass, 11 fire modules, batch "
            "normalization and dropout in each) with Adam, class weights and augmentation; "
            "checkpoint the best validation accuracy, score it on the test split and export "
            "float32 and int8 TensorFlow Lite models. Results go to a run directory; "
            "--resume continues an interrupted run from its last epoch."
        ),
    )
    add_data_options(parser)
    group = parser.add_argument_group("training")
    group.add_argument(
        "--out",
        type=Path,
        default=Path("runs/squeezenet"),
        metavar="DIR",
        help="run directory (default: %(default)s)",
    )
    group.add_argument(
        "--epochs", type=int, default=defaults.epochs, help="epochs (default: %(default)s)"
    )
    group.add_argument(
        "--batch-size",
        type=int,
        default=defaults.batch_size,
        metavar="N",
        help="images per step (default: %(default)s)",
    )
    group.add_argument(
        "--learning-rate",
        type=float,
        default=defaults.learning_rate,
        metavar="LR",
        help="Adam's initial learning rate (default: %(default)s)",
    )
    group.add_argument(
        "--lr-schedule",
        choices=LR_SCHEDULES,
        default=defaults.lr_schedule,
        help=(
            "cosine: decay to --min-learning-rate at the last epoch; plateau: multiply by "
            "--reduce-lr-factor after --reduce-lr-patience epochs without a better "
            "validation loss; constant (default: %(default)s)"
        ),
    )
    group.add_argument(
        "--warmup-epochs",
        type=int,
        default=defaults.warmup_epochs,
        metavar="EPOCHS",
        help="linear warm-up of the cosine schedule (default: %(default)s)",
    )
    group.add_argument(
        "--reduce-lr-factor",
        type=float,
        default=defaults.reduce_lr_factor,
        metavar="F",
        help="plateau schedule's factor (default: %(default)s)",
    )
    group.add_argument(
        "--reduce-lr-patience",
        type=int,
        default=defaults.reduce_lr_patience,
        metavar="EPOCHS",
        help="plateau schedule's patience (default: %(default)s)",
    )
    group.add_argument(
        "--min-learning-rate",
        type=float,
        default=defaults.min_learning_rate,
        metavar="LR",
        help="end of the cosine schedule, floor of the plateau one (default: %(default)s)",
    )
    group.add_argument(
        "--early-stopping",
        type=int,
        default=defaults.early_stopping_patience,
        metavar="EPOCHS",
        help=(
            "stop after this many epochs without a better validation accuracy; "
            "0 never stops early (default: %(default)s)"
        ),
    )
    group.add_argument(
        "--channels",
        type=int,
        choices=(1, 3),
        default=defaults.channels,
        help="input channels; 3 repeats the grey image as the thesis does (default: %(default)s)",
    )
    group.add_argument(
        "--dropout",
        type=float,
        default=defaults.dropout,
        help="dropout rate in the fire modules (default: %(default)s)",
    )
    group.add_argument(
        "--dropout-placement",
        choices=DROPOUT_PLACEMENTS,
        default=defaults.dropout_placement,
        help=(
            "every_conv: dropout behind the squeeze and both expand convolutions (the "
            "thesis's wording); output: once on each fire module's output "
            "(default: %(default)s)"
        ),
    )
    group.add_argument(
        "--squeeze-order",
        choices=SQUEEZE_ORDERS,
        default=defaults.squeeze_order,
        help=(
            "relu_bn: batch normalization behind the squeeze convolution's ReLU; "
            "bn_relu: between them (default: %(default)s)"
        ),
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
        "--no-augment", action="store_true", help="train without rotation/shift/shear/zoom/flip"
    )
    group.add_argument(
        "--no-class-weights", action="store_true", help="do not weight the loss by class"
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


def run(args: argparse.Namespace) -> int:
    from ..cnn.train import train_cnn

    config = CNNConfig(
        channels=args.channels,
        dropout=args.dropout,
        dropout_placement=args.dropout_placement,
        squeeze_order=args.squeeze_order,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        lr_schedule=args.lr_schedule,
        warmup_epochs=args.warmup_epochs,
        reduce_lr_factor=args.reduce_lr_factor,
        reduce_lr_patience=args.reduce_lr_patience,
        min_learning_rate=args.min_learning_rate,
        early_stopping_patience=args.early_stopping,
        augment=not args.no_augment,
        class_weights=not args.no_class_weights,
        seed=args.seed,
    )
    try:
        config.validate()
    except ValueError as exc:
        raise FerClassicError(f"train-cnn: {exc}") from None
    if args.finish and not args.resume:
        raise FerClassicError("train-cnn: --finish needs --resume")
    dataset = load_data_from_args(args)
    result = train_cnn(
        dataset,
        args.out,
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
