"""Options shared by several subcommands, with the same names everywhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..data import SPLITS, FERDataset, load_dataset
from ..data.ferplus import FERPLUS_SCHEMES
from ..data.labels import EXTRA_CLASSES
from ..data.synthetic import SYNTHETIC_NOTICE


def add_data_options(parser: argparse.ArgumentParser, *, positional: bool = False) -> None:
    """``--data`` (or, with ``positional``, a ``PATH`` argument), ``--split``, ``--seed``,
    ``--cache-dir``, ``--extra-classes``, ``--labels``, ``--label-scheme``,
    ``--class-order`` and ``--strict``."""
    group = parser.add_argument_group("data")
    what = (
        "FER-2013 as fer2013.csv(.gz), the Kaggle train/test image folders, RAF-DB, "
        "AffectNet or JAFFE as distributed, or any root/<class>/ image folder; default: "
        "the built-in synthetic data set"
    )
    if positional:
        group.add_argument("data", metavar="PATH", nargs="?", help=what)
    else:
        group.add_argument("--data", metavar="PATH", help=what)
    group.add_argument(
        "--split",
        choices=SPLITS,
        default="auto",
        help=(
            "canonical: Training / PublicTest / PrivateTest (or the folders' own); "
            "stratified: seeded 70/10/20; auto: canonical where the data has one "
            "(default: %(default)s)"
        ),
    )
    group.add_argument(
        "--seed", type=int, default=0, help="seed of splits and models (default: %(default)s)"
    )
    group.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        help=(
            "where decoded data and features are cached "
            "(default: $FER_CLASSIC_CACHE or ~/.cache/fer-classic)"
        ),
    )
    group.add_argument(
        "--extra-classes",
        choices=EXTRA_CLASSES,
        default="drop",
        help=(
            "classes outside FER-2013's seven (contempt): keep them as extra classes or "
            "drop their images (default: %(default)s)"
        ),
    )
    group.add_argument(
        "--labels",
        metavar="FILE",
        help=(
            "FER+'s fer2013new.csv: its votes replace the labels of the fer2013.csv given "
            "as the data (which must be in its original row order)"
        ),
    )
    group.add_argument(
        "--label-scheme",
        choices=FERPLUS_SCHEMES,
        default="majority",
        help=(
            "with --labels: majority vote, or also the vote distribution as soft targets "
            "for train-cnn (the same faces either way; default: %(default)s)"
        ),
    )
    group.add_argument(
        "--class-order",
        metavar="ORDER",
        help=(
            "what numbered class folders (0/, 1/, ...) mean: fer2013, rafdb (1 surprise "
            "... 7 neutral), affectnet, or class names for 0, 1, ... (1:NAME,... to count "
            "from 1); default fer2013 where the numbers fit it"
        ),
    )
    group.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first unreadable image instead of skipping it with a warning",
    )


def n_jobs_type(text: str) -> int:
    """An ``--n-jobs`` value: a positive number of workers, or -1."""
    from ..classical.backends import N_JOBS_RULE, check_n_jobs

    try:
        return check_n_jobs(int(text))  # type: ignore[return-value]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {N_JOBS_RULE}; got {text!r}") from None


def add_tta_option(parser: argparse.ArgumentParser) -> None:
    """``--tta``: test-time augmentation, reported beside the plain figures."""
    from ..inference import TTA_VIEWS

    parser.add_argument(
        "--tta",
        choices=sorted(TTA_VIEWS),
        help=(
            "test-time augmentation: flip averages the scores of each face and of its "
            "mirror image (two predictions per face)"
        ),
    )


def add_trust_pickle_option(parser: argparse.ArgumentParser) -> None:
    """``--trust-pickle``: read classical runs saved as a pickle by older versions."""
    parser.add_argument(
        "--trust-pickle",
        action="store_true",
        help=(
            "also read classical runs of older versions saved as a pickle (model.joblib); "
            "loading a pickle runs any code it holds, so use this only for runs from a "
            "source you trust (model.skops files are safe: they rebuild only trusted types)"
        ),
    )


def load_data_from_args(args: argparse.Namespace, *, require_cache: bool = False) -> FERDataset:
    """Load the data set the options name, saying so in one line when it is synthetic."""
    dataset = load_dataset(
        args.data,
        split=args.split,
        seed=args.seed,
        cache_dir=args.cache_dir,
        strict=args.strict,
        extra_classes=args.extra_classes,
        require_cache=require_cache,
        labels=args.labels,
        label_scheme=args.label_scheme,
        class_order=args.class_order,
    )
    if dataset.is_synthetic:
        print(SYNTHETIC_NOTICE, file=sys.stderr)
    return dataset


def add_detector_options(parser: argparse.ArgumentParser) -> None:
    """``--detector``, ``--min-face``, ``--margin``: how ``predict`` and ``mirror`` find faces."""
    from ..predict import DETECTORS

    parser.add_argument(
        "--detector",
        choices=DETECTORS,
        default="haar",
        help=(
            "face detector: haar (OpenCV's cascade), hog (dlib's HOG: as fast, more false "
            "detections), dnn (dlib's CNN: robust, seconds per frame) (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--min-face",
        metavar="PX",
        type=positive_int,
        default=40,
        help="smallest face side in pixels (default: %(default)s)",
    )
    parser.add_argument(
        "--margin",
        metavar="FRAC",
        type=non_negative_float,
        default=0.1,
        help="added around each face box, as a fraction of its side (default: %(default)s)",
    )


def positive_int(text: str) -> int:
    """An option value that must be a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def non_negative_float(text: str) -> float:
    """An option value that must be a number of at least 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """``--model``, ``--tta`` and ``--trust-pickle``: the model ``predict`` and ``mirror`` run."""
    parser.add_argument(
        "--model",
        metavar="NAME|RUN_DIR|FILE",
        help=(
            "a packaged CNN (squeezenet, compact), a classical or CNN run directory, or a "
            ".tflite/.keras file (default: the packaged CNN with the best PublicTest accuracy)"
        ),
    )
    add_tta_option(parser)
    add_trust_pickle_option(parser)


def load_model_from_args(args: argparse.Namespace) -> Any:
    """The model :func:`add_model_options` names, saying in one line which one is the default."""
    from ..inference import load_model, with_tta

    classifier = with_tta(load_model(args.model, trust_pickle=args.trust_pickle), args.tta)
    if args.model is None:
        print(f"no --model given: using the {classifier.name}", file=sys.stderr)
    return classifier
