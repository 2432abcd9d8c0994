"""Test-split scores of a fitted model: accuracy, macro-F1, per-class report, confusion matrix."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from tabulate import tabulate

from ..files import atomic_path
from ..metrics import classification_metrics

__all__ = [
    "classification_metrics",
    "confusion_table",
    "per_class_table",
    "save_confusion_png",
]


def per_class_table(metrics: Mapping[str, Any]) -> str:
    """The per-class report as a text table."""
    rows = [
        [name, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", m["support"]]
        for name, m in metrics["per_class"].items()
    ]
    return tabulate(rows, headers=["class", "precision", "recall", "f1", "support"])


def confusion_table(metrics: Mapping[str, Any]) -> str:
    """The confusion matrix as a text table: rows true class, columns predicted."""
    names = metrics["class_names"]
    rows = [
        [f"true {name}", *counts]
        for name, counts in zip(names, metrics["confusion_matrix"], strict=True)
    ]
    return tabulate(rows, headers=["", *names])


def save_confusion_png(metrics: Mapping[str, Any], path: str | Path, title: str = "") -> None:
    """Plot the confusion matrix (row-normalised colours, counts written) to a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = metrics["class_names"]
    counts = np.asarray(metrics["confusion_matrix"])
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            colour = "white" if shares[i, j] > 0.5 else "black"
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", color=colour, fontsize=8)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or f"accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}")
    fig.colorbar(image, ax=ax, label="share of the true class")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
