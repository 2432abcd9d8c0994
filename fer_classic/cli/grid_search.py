"""``fer-classic grid-search``: KNN, SVM and random forests over handcrafted features."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tabulate import tabulate

from ..classical import REFITS, SEARCHES, grid_search
from ..classical.backends import BACKENDS
from ..classical.metrics import confusion_table, per_class_table
from ..classical.pipelines import MODELS
from .common import add_data_options, add_n_jobs_option, load_data_from_args

ALL_FEATURES = "pixels,hist,hog,lbp,gabor,landmarks"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grid-search",
        help="search KNN, SVM and random-forest pipelines over handcrafted features",
        description=(
            "Fit every candidate on the training split, select on the validation split "
            "(or --cv K folds), refit the best and report the test split once. Results go "
            "to a run directory; rerunning the same command resumes it."
        ),
    )
    add_data_options(parser)
    group = parser.add_argument_group("search")
    group.add_argument(
        "--features",
        default=ALL_FEATURES,
        metavar="LIST",
        help=(
            "comma-separated feature settings; '+' concatenates extractors, e.g. "
            "hog,lbp,hog+lbp+landmarks (default: %(default)s)"
        ),
    )
    group.add_argument(
        "--models",
        default=",".join(MODELS),
        metavar="LIST",
        help="comma-separated among knn, svm, rf (default: %(default)s)",
    )
    group.add_argument(
        "--grid", type=Path, metavar="TOML", help="grid file replacing the default grid per model"
    )
    group.add_argument(
        "--cv", type=int, metavar="K", help="select by stratified K-fold on the training split"
    )
    group.add_argument(
        "--search",
        choices=SEARCHES,
        default="grid",
        help="exhaustive grid or successive halving (default: %(default)s)",
    )
    group.add_argument(
        "--factor", type=int, default=3, help="successive halving's factor (default: %(default)s)"
    )
    group.add_argument(
        "--refit",
        choices=REFITS,
        default="train",
        help="what the best candidate is refitted on before the test (default: %(default)s)",
    )
    group.add_argument(
        "--out",
        type=Path,
        default=Path("runs/grid-search"),
        metavar="DIR",
        help="run directory; the same command resumes it (default: %(default)s)",
    )
    group.add_argument(
        "--force", action="store_true", help="start --out over if it holds another configuration"
    )
    group.add_argument(
        "--top",
        type=_count,
        default=20,
        metavar="N",
        help="candidates shown (default: %(default)s)",
    )
    execution = parser.add_argument_group("execution")
    add_n_jobs_option(execution)
    execution.add_argument(
        "--backend",
        choices=BACKENDS,
        default="loky",
        help="local worker processes or a Dask cluster (default: %(default)s)",
    )
    execution.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786"
    )
    execution.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    """A ``--top`` value: a positive whole number."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}")
    return value


def candidates_table(records: Sequence[Mapping[str, Any]], top: int) -> str:
    """The best ``top`` candidates trained on every training row, best first."""
    full = sorted((r for r in records if r["full"]), key=lambda r: (-r["score"], r["index"]))
    rows = [
        [
            r["feature"],
            r["model"],
            ", ".join(f"{k}={v}" for k, v in r["params"].items()),
            f"{r['score']:.4f}",
            f"{r['fit_seconds']:.1f}",
            f"{r['score_seconds']:.1f}",
        ]
        for r in full[:top]
    ]
    return tabulate(rows, headers=["features", "model", "params", "val acc", "fit s", "score s"])


def run(args: argparse.Namespace) -> int:
    dataset = load_data_from_args(args)
    result = grid_search(
        dataset,
        features=args.features,
        models=args.models,
        grid=args.grid,
        out=args.out,
        cv=args.cv,
        search=args.search,
        factor=args.factor,
        refit=args.refit,
        seed=args.seed,
        n_jobs=args.n_jobs,
        backend=args.backend,
        scheduler=args.scheduler,
        force=args.force,
        cache_dir=args.cache_dir,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    metrics, best = result.metrics, result.best
    n_full = sum(r["full"] for r in result.records)
    if result.resumed:
        print(f"resumed {result.run_dir}: {result.n_resumed} candidate results were already there")
    print(f"{n_full} candidates trained on the whole training split (best {args.top}):")
    print(candidates_table(result.records, args.top))
    print()
    params = ", ".join(f"{k}={v}" for k, v in best["params"].items())
    print(f"best: {best['feature']} + {best['model']} ({params}), validation {best['score']:.4f}")
    print(
        f"test ({metrics['test_split']}, {metrics['n_test']} images, refitted on "
        f"{metrics['refit_on']}): accuracy {metrics['accuracy']:.4f}, "
        f"macro-F1 {metrics['macro_f1']:.4f}"
    )
    print()
    print(per_class_table(metrics))
    print()
    print(confusion_table(metrics))
    print()
    print(f"run directory: {result.run_dir} (search {metrics['search_seconds']:.0f} s)")
    return 0
