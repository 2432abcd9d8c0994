"""Learning curves of CNN runs: validation and training accuracy per epoch.

Usage::

    python benchmarks/plot_history.py RUN_DIR [RUN_DIR ...] --out curve.png [--csv DIR]

Reads each run's ``history.csv`` and draws its validation (PublicTest) accuracy,
solid, and its training accuracy (on augmented images), dashed, against the epoch,
one colour per run and the best epoch marked. ``--csv DIR`` also copies each
history to ``DIR/<run name>-history.csv``, so that the figure's numbers are kept
beside it.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from fer_classic.cnn.run_dir import read_state
from fer_classic.runs import HISTORY, read_history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    fig, ax = plt.subplots(figsize=(7, 4))
    for run in args.runs:
        state = read_state(run)
        rows = read_history(run / HISTORY, state["epoch"])
        epochs = [row["epoch"] for row in rows]
        (line,) = ax.plot(epochs, [100 * row["val_accuracy"] for row in rows], label=run.name)
        ax.plot(
            epochs,
            [100 * row["accuracy"] for row in rows],
            linestyle="--",
            color=line.get_color(),
            alpha=0.6,
        )
        if state["best_epoch"]:
            best = rows[state["best_epoch"] - 1]
            ax.plot(best["epoch"], 100 * best["val_accuracy"], "o", color=line.get_color())
        if args.csv is not None:
            args.csv.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(run / HISTORY, args.csv / f"{run.name}-history.csv")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("validation (PublicTest, solid) and training (augmented, dashed) accuracy")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)


if __name__ == "__main__":
    main()
