"""``fer-classic grid-search``: registered classifiers over handcrafted features.

Its search and execution options are the fields of
:class:`~fer_classic.classical.SearchConfig`, with their defaults and help;
``--seed`` is the data options', and ``--top`` only chooses what is printed.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from tabulate import tabulate

from ..classical import CLASSIFIERS, SearchConfig, grid_search
from ..evaluation import format_scores
from .common import add_data_options, load_data_from_args, n_jobs_type

#: The SearchConfig fields given as options, per option group: field -> the
#: add_argument keywords beside its help, default and choices, which are the field's.
#: The option of a field is its name with dashes: ``n_jobs`` -> ``--n-jobs``.
_SEARCH_OPTIONS: dict[str, dict[str, Any]] = {
    "features": {"metavar": "LIST"},
    "models": {"metavar": "LIST"},
    "grid": {"type": Path, "metavar": "TOML"},
    "cv": {"type": int, "metavar": "K"},
    "search": {},
    "factor": {"type": int},
    "refit": {},
    "out": {"type": Path, "metavar": "DIR"},
    "force": {"action": "store_true"},
}
_EXECUTION_OPTIONS: dict[str, dict[str, Any]] = {
    "n_jobs": {"type": n_jobs_type, "metavar": "N"},
    "backend": {},
    "scheduler": {"metavar": "ADDRESS"},
    "progress": {"action": argparse.BooleanOptionalAction},
}
#: SearchConfig fields set by other options: ``seed`` is the data options' ``--seed``.
_FROM_DATA_OPTIONS = ("seed",)


def _help(name: str, default: Any, metadata: Mapping[str, Any]) -> str:
    """A field's help, with the registered classifiers for ``models`` and its default."""
    text = metadata["help"]
    if name == "models":
        text += f" among those registered: {', '.join(CLASSIFIERS)}"
    if default is None or default is False:
        return text
    shown = ",".join(default) if isinstance(default, tuple) else default
    return f"{text} (default: {shown})"


def _add_setting_options(
    group: argparse._ArgumentGroup, options: Mapping[str, Mapping[str, Any]]
) -> None:
    """The options of the SearchConfig fields ``options`` names, unset unless given."""
    by_name = {f.name: f for f in fields(SearchConfig)}
    for name, keywords in options.items():
        setting = by_name[name]
        default = setting.default if setting.default is not MISSING else None
        extra = {"choices": setting.metadata["choices"]} if "choices" in setting.metadata else {}
        group.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            default=argparse.SUPPRESS,
            help=_help(name, default, setting.metadata),
            **extra,
            **keywords,
        )


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grid-search",
        help="search KNN, SVM, random-forest and registered classifiers over handcrafted features",
        description=(
            "Fit every candidate on the training split, select on the validation split "
            "(or --cv K folds), refit the best and report the test split once. Results go "
            "to a run directory; rerunning the same command resumes it."
        ),
    )
    add_data_options(parser)
    group = parser.add_argument_group("search")
    _add_setting_options(group, _SEARCH_OPTIONS)
    group.add_argument(
        "--top",
        type=_count,
        default=20,
        metavar="N",
        help="candidates shown (default: %(default)s)",
    )
    execution = parser.add_argument_group("execution")
    _add_setting_options(execution, _EXECUTION_OPTIONS)
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


def config_from_args(args: argparse.Namespace) -> SearchConfig:
    """The ``SearchConfig`` the options name: its defaults, then the options given."""
    names = (*_SEARCH_OPTIONS, *_EXECUTION_OPTIONS, *_FROM_DATA_OPTIONS)
    return SearchConfig(**{name: getattr(args, name) for name in names if hasattr(args, name)})


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    dataset = load_data_from_args(args)
    result = grid_search(dataset, config, cache_dir=args.cache_dir)
    metrics, best = result.metrics, result.best
    n_full = sum(r["full"] for r in result.records)
    if result.resumed:
        print(f"resumed {result.run_dir}: {result.n_resumed} candidate results were already there")
    print(f"{n_full} candidates trained on the whole training split (best {args.top}):")
    print(candidates_table(result.records, args.top))
    print()
    params = ", ".join(f"{k}={v}" for k, v in best["params"].items())
    print(f"best: {best['feature']} + {best['model']} ({params}), validation {best['score']:.4f}")
    title = f"test ({metrics['test_split']}, refitted on {metrics['refit_on']})"
    print(format_scores(metrics, title))
    print()
    print(f"run directory: {result.run_dir} (search {metrics['search_seconds']:.0f} s)")
    return 0
