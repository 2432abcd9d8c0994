"""Seed 002's learning-curve metrics of runs' ``history.csv`` files, as a Markdown table.

Usage::

    python benchmarks/learning_rates.py RUN_DIR_OR_HISTORY_CSV...

For each run: the training and validation accuracy and loss after epoch 1, and the mean
convergence rate (MCR) and mean overfitting rate (MOFR) of accuracy (in percentage
points per epoch) and loss, per five-epoch window
(:func:`fer_classic.cnn.convergence.learning_metrics`).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from tabulate import tabulate

from fer_classic.cnn.convergence import learning_metrics
from fer_classic.runs import HISTORY


def _rows(path: Path) -> list[dict[str, float]]:
    path = path / HISTORY if path.is_dir() else path
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run directories or history.csv files")
    args = parser.parse_args()
    table, windows = [], []
    for path in args.runs:
        metrics = learning_metrics(_rows(path))
        initial = metrics["initial"]
        for rate in ("mcr", "mofr"):
            for metric, scale in (("accuracy", 100), ("loss", 1)):
                found = metrics[rate][metric]["windows"]
                windows = max(windows, [w["epochs"] for w in found], key=len)
                rates = ("-" if w["rate"] is None else f"{scale * w['rate']:+.3f}" for w in found)
                table.append([path.name, f"{rate.upper()} {metric}", *rates])
        first = (
            f"{100 * initial['accuracy']:.2f} / {100 * initial['val_accuracy']:.2f} %, "
            f"loss {initial['loss']:.3f} / {initial['val_loss']:.3f}"
        )
        print(f"{path.name}: after epoch 1, accuracy train / val {first}")
    headers = ["run", "rate", *(f"epochs {a}-{b}" for a, b in windows)]
    print(tabulate(table, headers, tablefmt="github", disable_numparse=True))


if __name__ == "__main__":
    main()
