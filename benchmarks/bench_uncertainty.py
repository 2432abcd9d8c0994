"""What the honest comparison costs: intervals and paired tests for ten models.

Times the part of ``fer-classic compare`` that :mod:`fer_classic.reports.intervals`
adds: 95 % bootstrap intervals (1,000 resamples) of accuracy and macro-F1 for each
of ten models, and the exact McNemar tests of their 45 pairs with Holm's
correction, on 3,589 test images (FER-2013's PrivateTest) of 7 classes. The
predictions are drawn at about 60 % accuracy; the cost does not depend on them.
The target: at most 10 s added to ``compare``.

    python benchmarks/bench_uncertainty.py [--models 10] [--images 3589]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fer_classic.reports.intervals import Bootstrap, paired_significance
from fer_classic.reports.results import ModelResult


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--images", type=int, default=3589)
    parser.add_argument("--classes", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    truth = rng.integers(0, args.classes, args.images)
    predictions = [
        np.where(rng.random(args.images) < 0.6, truth, rng.integers(0, args.classes, args.images))
        for _ in range(args.models)
    ]
    models = [
        ModelResult(name=f"model {i}", origin="run", kind="classical", description="")
        for i in range(args.models)
    ]
    start = time.perf_counter()
    bootstrap = Bootstrap()
    for model, pred in zip(models, predictions, strict=True):
        bootstrap.attach(model, "test", truth, pred, args.classes)
    intervals = time.perf_counter() - start
    groups, _ = paired_significance(models, ["test"] * args.models, {"test": truth}, predictions)
    total = time.perf_counter() - start
    pairs = len(groups[0]["pairs"])
    print(f"| {args.models} models x {args.images} images, {args.classes} classes | seconds |")
    print("|---|---:|")
    print(f"| bootstrap intervals, {bootstrap.resamples} resamples | {intervals:.2f} |")
    print(f"| McNemar tests of {pairs} pairs + Holm | {total - intervals:.2f} |")
    print(f"| total (target: at most 10 s) | {total:.2f} |")


if __name__ == "__main__":
    main()
