"""``fer-classic data info|prepare``: what a data set holds, and decoding it into the cache."""

from __future__ import annotations

import argparse
import time

from tabulate import tabulate

from ..data import FERDataset, default_cache_dir
from .common import add_data_options, load_data_from_args


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "data",
        help="inspect a data set or decode it into the cache",
        description="Inspect a FER data set, or decode it into the cache ahead of training.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text in (
        ("info", "format, image size, counts per split and class, cache location"),
        ("prepare", "decode the data set into the cache so that later commands load it fast"),
    ):
        sub = actions.add_parser(name, help=help_text, description=help_text)
        add_data_options(sub, positional=True)
        sub.set_defaults(func=run_info if name == "info" else run_prepare)


def _load(args: argparse.Namespace, *, require_cache: bool = False) -> tuple[FERDataset, float]:
    start = time.perf_counter()
    dataset = load_data_from_args(args, require_cache=require_cache)
    return dataset, time.perf_counter() - start


def counts_table(dataset: FERDataset) -> str:
    """Images per split (rows) and class (columns), with totals."""
    n_classes = len(dataset.class_names)
    rows = []
    for split in dataset.splits:
        counts = split.class_counts(n_classes)
        rows.append([f"{split.name} ({split.source_name})", *counts.tolist(), int(counts.sum())])
    totals = [sum(row[i] for row in rows) for i in range(1, n_classes + 2)]
    rows.append(["total", *totals])
    return tabulate(rows, headers=["split", *dataset.class_names, "total"], tablefmt="github")


def run_info(args: argparse.Namespace) -> int:
    dataset, seconds = _load(args)
    raw = dataset.raw
    print(f"source:      {raw.source}")
    print(f"format:      {raw.format}")
    print(
        f"images:      {len(raw.labels)} x {raw.images.shape[1]}x{raw.images.shape[2]} uint8 grey"
    )
    print(f"split:       {dataset.split} (seed {dataset.seed})")
    if raw.label_source:
        options = ", ".join(f"{name} {value}" for name, value in raw.label_source.items())
        print(f"labels:      {options}")
    if raw.dropped:
        reasons = ", ".join(f"{count} {reason}" for reason, count in raw.dropped.items())
        print(f"dropped:     {sum(raw.dropped.values())} image(s): {reasons}")
    if raw.skipped:
        print(f"skipped:     {raw.skipped} unreadable image(s)")
    print(f"fingerprint: {dataset.fingerprint}")
    print(f"cache:       {args.cache_dir or default_cache_dir()}")
    print(f"loaded in:   {seconds:.2f} s")
    print()
    print(counts_table(dataset))
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    dataset, seconds = _load(args, require_cache=True)
    if dataset.is_synthetic:
        print("the synthetic data set is drawn when needed; there is nothing to cache")
        return 0
    print(
        f"{dataset.raw.source}: {len(dataset.raw.labels)} images decoded and cached in "
        f"{args.cache_dir or default_cache_dir()} ({seconds:.1f} s); "
        f"fingerprint {dataset.fingerprint}"
    )
    return 0
