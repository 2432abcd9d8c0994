"""The ablation table of CNN runs: what each run changes, and its PublicTest accuracy.

Usage::

    python benchmarks/ablation_table.py REFERENCE_RUN RUN [RUN ...] [--at EPOCH ...]

Reads each run directory's ``config.json`` and ``history.csv`` (as ``train-cnn``
writes them) and prints a Markdown table, one row per run: the settings in which
it differs from the reference run (the first), its epochs done, its best
validation (PublicTest) accuracy and the epoch of that best, the accuracy at each
``--at`` epoch, and the difference of its best from the reference's best (for a
run that has done all its epochs). Settings
that only name the data or the architecture's version are not compared. Runs are
compared at the same budget only if their ``epochs`` agree; the table says so
when they do not. PrivateTest is never read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from fer_classic.cnn.config import CNNConfig
from fer_classic.cnn.run_dir import read_state
from fer_classic.runs import CONFIG, HISTORY, read_history

#: Fields of ``config.json`` that do not describe the recipe.
_NOT_RECIPE = frozenset({"data", "architecture"})


def recipe(run: Path) -> dict[str, Any]:
    """The settings of a run's ``config.json`` that make its training recipe."""
    config = CNNConfig.upgrade_stored(json.loads((run / CONFIG).read_text(encoding="utf-8")))
    return {key: value for key, value in config.items() if key not in _NOT_RECIPE}


def differences(reference: dict[str, Any], other: dict[str, Any]) -> str:
    """``name=value`` for each setting of ``other`` that differs from ``reference``."""
    changed = [
        f"{key}={other.get(key)}"
        for key in sorted(set(reference) | set(other))
        if reference.get(key) != other.get(key)
    ]
    return ", ".join(changed) or "(reference)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "runs", nargs="+", type=Path, help="run directories; the first is the reference"
    )
    parser.add_argument("--at", type=int, nargs="*", default=[], metavar="EPOCH")
    args = parser.parse_args()
    base = recipe(args.runs[0])
    rows = []
    for run in args.runs:
        state = read_state(run)
        history = read_history(run / HISTORY, state["epoch"])
        accuracy = [100 * row["val_accuracy"] for row in history]
        best = max(range(len(accuracy)), key=accuracy.__getitem__)
        rows.append((run, recipe(run), len(history), accuracy, best))
    reference_best = rows[0][3][rows[0][4]]
    header = ["run", "changes", "epochs done", "best PublicTest", "at epoch"]
    header += [f"epoch {epoch}" for epoch in args.at] + ["best vs reference"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for run, settings, done, accuracy, best in rows:
        cells = [f"`{run.name}`", differences(base, settings), f"{done} of {settings['epochs']}"]
        cells += [f"{accuracy[best]:.2f} %", str(best + 1)]
        cells += [f"{accuracy[epoch - 1]:.2f} %" if epoch <= done else "" for epoch in args.at]
        finished = done == settings["epochs"]
        cells.append(f"{accuracy[best] - reference_best:+.2f}" if finished else "unfinished")
        print("| " + " | ".join(cells) + " |")
    budgets = {settings["epochs"] for _, settings, *_ in rows}
    if len(budgets) > 1:
        print(
            f"\nThe runs have different budgets ({sorted(budgets)} epochs): "
            "not a fixed-budget ablation."
        )


if __name__ == "__main__":
    main()
