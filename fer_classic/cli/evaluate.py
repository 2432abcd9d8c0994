"""``fer-classic evaluate``: score a trained model on its test split or any data set."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import FerClassicError
from ..evaluation import SUBSETS, evaluate_model, format_scores, load_run_dataset
from ..files import check_writable_file, read_json, write_json_atomic
from ..runs import MANIFEST
from .common import add_data_options, add_trust_pickle_option, add_tta_option, load_data_from_args

VARIANTS = ("keras", "float32", "int8")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="accuracy, macro-F1, per-class report and confusion matrix of a trained model",
        description=(
            "Score a run (CNN or classical), a .keras or .tflite file, or a packaged CNN "
            "on the test split of the run's own data, or on any other data set given with "
            "--data (cross-dataset testing, e.g. CK+ with --subset all)."
        ),
    )
    parser.add_argument(
        "run",
        nargs="?",
        metavar="MODEL",
        help=(
            "a packaged CNN (squeezenet, compact), a run directory or a .keras/.tflite file "
            "(default: the packaged CNN with the best PublicTest accuracy)"
        ),
    )
    add_data_options(parser)
    parser.add_argument(
        "--model",
        metavar="NAME|RUN|FILE",
        help="the same as MODEL, as an option",
    )
    parser.add_argument(
        "--variant",
        choices=VARIANTS,
        default="keras",
        help=(
            "which model of a CNN run: its best .keras checkpoint or a TFLite export "
            "(default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--subset",
        choices=SUBSETS,
        default="test",
        help="the part of the data set to score; all: train+val+test (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE.json", help="also write the scores as JSON"
    )
    add_tta_option(parser)
    add_trust_pickle_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..inference import load_model, with_tta

    if args.model in VARIANTS:
        raise FerClassicError(
            f"evaluate: --model names a model; for a run's export use --variant {args.model}"
        )
    if args.run is not None and args.model is not None and args.run != args.model:
        raise FerClassicError(
            f"evaluate: MODEL {args.run} and --model {args.model} disagree; give one"
        )
    if args.model is not None:
        args.run = args.model
    if args.run is None and args.data is None:
        raise FerClassicError("evaluate: name a MODEL or a data set with --data PATH")
    if args.out is not None:
        check_writable_file(args.out)
    if args.variant == "keras":
        model = load_model(args.run, trust_pickle=args.trust_pickle)
    else:
        from ..cnn import load_cnn_model

        if args.run is None or not Path(args.run).is_dir():
            raise FerClassicError(f"evaluate: --variant {args.variant} needs a CNN run directory")
        model = load_cnn_model(args.run, variant=args.variant)
    run_dir = Path(args.run) if args.run is not None and Path(args.run).is_dir() else None
    if args.data is None:
        dataset = load_run_dataset(run_dir, cache_dir=args.cache_dir)
    else:
        dataset = load_data_from_args(args)
    if run_dir is not None and args.subset in ("train", "all"):
        trained_on = read_json(run_dir / MANIFEST).get("data", {}).get("fingerprint")
        if trained_on == dataset.fingerprint:
            print(
                f"fer-classic: note: --subset {args.subset} includes the images "
                f"{run_dir} was trained on",
                file=sys.stderr,
            )
    scores = evaluate_model(model, dataset, args.subset)
    split_name = "all" if args.subset == "all" else getattr(dataset, args.subset).source_name
    title = f"{model.source} on {dataset.raw.source} ({split_name})"
    adjustment = getattr(model, "adjustment", None)
    if adjustment is not None:
        tau, chosen_on = adjustment["tau"], adjustment["chosen_on"]
        title += f", logit-adjusted (tau {tau:g}, chosen on {chosen_on})"
    print(format_scores(scores, title))
    if args.tta is not None:
        # Beside the plain figures, never instead of them.
        augmented = evaluate_model(with_tta(model, args.tta), dataset, args.subset)
        print()
        print(format_scores(augmented, f"{title}, {args.tta} test-time augmentation"))
        scores["tta"] = {args.tta: augmented}
    if args.out is not None:
        write_json_atomic(args.out, scores)
    return 0
