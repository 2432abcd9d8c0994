"""The comparison's plots, as PNG files: trade-offs with Pareto fronts, confusions, F1.

Figures are drawn on :class:`matplotlib.figure.Figure` without pyplot, so they
render with the Agg canvas whatever backend the session has, and no window opens.
The notices of the comparison (synthetic data, mixed test splits) are printed on
every figure, so that a plot copied elsewhere keeps them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..files import atomic_path
from ..uncertainty import not_significantly_below
from .results import Comparison, ModelResult

_KIND_STYLE = {
    "classical": ("tab:blue", "o", "classical (this tool)"),
    "cnn": ("tab:orange", "s", "CNN (this tool)"),
    "peer": ("tab:green", "D", "peer: fer mini-Xception (trained elsewhere)"),
}
_FRONT_COLOR = "tab:red"
_DPI = 110


def pareto_front(cost: Sequence[float], accuracy: Sequence[float]) -> np.ndarray:
    """Indices of the points no other point beats: lower or equal cost and higher accuracy.

    Returns the indices sorted by increasing cost (and so increasing accuracy).
    """
    cost = np.asarray(cost, dtype=float)
    accuracy = np.asarray(accuracy, dtype=float)
    if cost.shape != accuracy.shape or cost.ndim != 1:
        raise ValueError(
            f"cost and accuracy must be 1-d of one length: {cost.shape}, {accuracy.shape}"
        )
    order = np.lexsort((-accuracy, cost))
    front, best = [], -np.inf
    for i in order:
        if accuracy[i] > best:
            front.append(i)
            best = accuracy[i]
    return np.asarray(front, dtype=np.int64)


def _notice_text(comparison: Comparison, width: int) -> str:
    return "\n".join(textwrap.fill(n, width) for n in comparison.notices)


def _new_figure(comparison: Comparison, size: tuple[float, float]) -> tuple[Figure, float]:
    fig = Figure(figsize=size, dpi=_DPI)
    text = _notice_text(comparison, width=int(size[0] * 15))
    top = 1.0
    if text:
        n_lines = text.count("\n") + 1
        top = 1.0 - (0.08 + 0.18 * n_lines) / size[1]
        fig.text(0.01, 0.995, text, va="top", ha="left", fontsize=8, color="darkred", weight="bold")
    return fig, top


def _save(fig: Figure, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    return path


def _format_bytes_tick(value: float, _pos: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{value / scale:g} {unit}"
    return f"{value:g} B"


def _format_ms_tick(value: float, _pos: int) -> str:
    return f"{value:g} ms"


_TICK_FORMATS = {"model_bytes": _format_bytes_tick, "latency_median_ms": _format_ms_tick}


def plot_tradeoff(
    comparison: Comparison, attribute: str, xlabel: str, title: str, path: str | Path
) -> Path:
    """Accuracy against ``attribute`` of each model (log x), its Pareto front marked.

    Measured models are filled markers by kind and form the front; literature rows
    that report ``attribute`` are drawn hollow and grey, outside the front.
    """
    fig, top = _new_figure(comparison, (9.0, 6.6))
    ax = fig.add_subplot()
    measured = [
        m for m in comparison.models if getattr(m, attribute) is not None and m.accuracy is not None
    ]
    for kind, (color, marker, label) in _KIND_STYLE.items():
        group = [m for m in measured if m.kind == kind]
        if group:
            ax.scatter(
                [getattr(m, attribute) for m in group],
                [100 * m.accuracy for m in group],
                c=color, marker=marker, s=60, label=label, zorder=3,
            )  # fmt: skip
            _error_bars(ax, [getattr(m, attribute) for m in group], group, color)
    reported = [m for m in comparison.literature if getattr(m, attribute) is not None]
    if reported:
        ax.scatter(
            [getattr(m, attribute) for m in reported],
            [100 * m.accuracy for m in reported],
            facecolors="none", edgecolors="grey", marker="^", s=70,
            label="literature (reported, not measured)", zorder=2,
        )  # fmt: skip
    if measured:
        front = pareto_front(
            [getattr(m, attribute) for m in measured], [m.accuracy for m in measured]
        )
        fx = [getattr(measured[i], attribute) for i in front]
        fy = [100 * measured[i].accuracy for i in front]
        ax.step(fx, fy, where="post", color=_FRONT_COLOR, lw=1.5, zorder=1, label="Pareto front")
        ax.scatter(fx, fy, s=180, facecolors="none", edgecolors=_FRONT_COLOR, lw=1.5, zorder=4)
        level = level_with_front(comparison, [measured[i].name for i in front])
        tied = [m for m in measured if m.name in level]
        if tied:
            ax.scatter(
                [getattr(m, attribute) for m in tied], [100 * m.accuracy for m in tied],
                s=180, facecolors="none", edgecolors=_FRONT_COLOR, lw=1.2, linestyles="--",
                zorder=4, label="not significantly below the front",
            )  # fmt: skip
    if measured or reported:
        ax.set_xscale("log")
        ax.margins(x=0.12, y=0.08)
        _place_labels(
            ax, [(getattr(m, attribute), 100 * m.accuracy, m) for m in measured + reported]
        )
        formatter = FuncFormatter(_TICK_FORMATS.get(attribute, lambda v, _: f"{v:g}"))
        ax.xaxis.set_major_formatter(formatter)
        ax.xaxis.set_minor_formatter(formatter if _decades(ax) < 1.5 else FuncFormatter(_blank))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title, fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, top))
    return _save(fig, Path(path))


def _error_bars(ax, xs: Sequence[float], models: Sequence[ModelResult], color: str) -> None:
    """Vertical 95 % intervals of the models' accuracies, where they have them."""
    points = [(x, m) for x, m in zip(xs, models, strict=True) if m.accuracy_ci]
    if not points:
        return
    y = np.array([100 * m.accuracy for _, m in points])
    low = np.array([100 * m.accuracy_ci[0] for _, m in points])
    high = np.array([100 * m.accuracy_ci[1] for _, m in points])
    ax.errorbar(
        [x for x, _ in points], y, yerr=[y - low, high - y], fmt="none", ecolor=color,
        elinewidth=1, capsize=3, alpha=0.7, zorder=2,
    )  # fmt: skip


def level_with_front(comparison: Comparison, front: Sequence[str]) -> set[str]:
    """The models off ``front`` not significantly below a model on it, in any of the
    comparison's sets of test images (:func:`fer_classic.uncertainty.not_significantly_below`)."""
    level: set[str] = set()
    accuracies = {m.name: m.accuracy for m in comparison.models if m.accuracy is not None}
    for group in comparison.significance:
        names = set(group["names"])
        on_front = [name for name in front if name in names]
        if on_front:
            here = {name: accuracies[name] for name in group["names"] if name in accuracies}
            level |= not_significantly_below(here, group, on_front)
    return level


def _spread(points: Sequence[tuple[float, Sequence[float] | None]]) -> np.ndarray:
    """Error-bar lengths below and above each value, in percent, shape (2, N)."""
    return (
        np.array([[100 * (v - ci[0]), 100 * (ci[1] - v)] if ci else [0.0, 0.0] for v, ci in points])
        .reshape(-1, 2)
        .T
    )


def plot_cross_dataset(comparison: Comparison, path: str | Path) -> Path:
    """Each model's accuracy on every further data set against its own test accuracy."""
    fig, top = _new_figure(comparison, (7.5, 6.2))
    ax = fig.add_subplot()
    markers = "os^Dvp*hX"
    for k, data in enumerate(comparison.cross_datasets):
        label = data["label"]
        models = [m for m in comparison.models if label in m.cross and m.accuracy is not None]
        x = np.array([100 * m.accuracy for m in models])
        y = np.array([100 * m.cross[label]["accuracy"] for m in models])
        xerr = _spread([(m.accuracy, m.accuracy_ci) for m in models])
        yerr = _spread(
            [(m.cross[label]["accuracy"], m.cross[label]["accuracy_ci"]) for m in models]
        )
        ax.errorbar(
            x, y, xerr=xerr, yerr=yerr, fmt=markers[k % len(markers)], capsize=3,
            label=f"{label} ({data['n']} images)",
        )  # fmt: skip
        for xi, yi, m in zip(x, y, models, strict=True):
            ax.annotate(m.name, (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=7)
    lims = [*ax.get_xlim(), *ax.get_ylim()]
    ax.plot([min(lims), max(lims)], [min(lims), max(lims)], ls="--", color="grey", lw=1)
    ax.set_xlabel("accuracy on the model's own test split (%)")
    ax.set_ylabel("accuracy on the further data set (%)")
    ax.set_title("In-domain against cross-dataset accuracy", fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, top))
    return _save(fig, Path(path))


# Where a point's label may go, in points from the marker: right above, right below,
# left above, left below, then further out.
_LABEL_OFFSETS = ((6, 4), (6, -11), (-6, 4), (-6, -11), (6, 14), (6, -21), (-6, 14), (-6, -21))
_CHAR_WIDTH, _LINE_HEIGHT = 4.3, 9.0  # of 7-point text, in points


def _place_labels(ax, points: list[tuple[float, float, ModelResult]]) -> None:
    """Name each point, choosing for each label the first offset that overlaps no other."""
    ax.autoscale_view()
    to_points = 72.0 / ax.figure.dpi
    centres = [ax.transData.transform((x, y)) * to_points for x, y, _ in points]
    taken = [(px - 4, py - 4, px + 4, py + 4) for px, py in centres]  # the markers
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    for i in order:
        (px, py), (x, y, m) = centres[i], points[i]
        width = _CHAR_WIDTH * len(m.name)
        boxes = []
        for dx, dy in _LABEL_OFFSETS:
            left = px + dx if dx > 0 else px + dx - width
            boxes.append(((dx, dy), (left, py + dy, left + width, py + dy + _LINE_HEIGHT)))
        (dx, dy), box = next(
            ((o, b) for o, b in boxes if not any(_overlap(b, t) for t in taken)), boxes[0]
        )
        taken.append(box)
        ax.annotate(
            m.name, (x, y), textcoords="offset points", xytext=(dx, dy), fontsize=7,
            ha="left" if dx > 0 else "right", color="black" if m.measured else "dimgrey",
        )  # fmt: skip


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _decades(ax) -> float:
    low, high = ax.get_xlim()
    return float(np.log10(high / low))


def _blank(_value: float, _pos: int) -> str:
    return ""


def plot_confusions(comparison: Comparison, path: str | Path) -> Path:
    """Row-normalized confusion matrix of every measured model, one panel each."""
    models = [m for m in comparison.models if m.confusion is not None]
    n = max(len(models), 1)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, top = _new_figure(comparison, (4.6 * cols, 4.6 * rows + 0.4))
    names = comparison.class_names
    for k, m in enumerate(models):
        ax = fig.add_subplot(rows, cols, k + 1)
        _draw_confusion(ax, np.asarray(m.confusion), names, m)
    fig.tight_layout(rect=(0, 0, 1, top))
    return _save(fig, Path(path))


def _draw_confusion(ax, counts: np.ndarray, names: Sequence[str], m: ModelResult) -> None:
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(share):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6,
                color="white" if value > 0.5 else "black")  # fmt: skip
    ticks = np.arange(len(names))
    ax.set_xticks(ticks, names, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(ticks, names, fontsize=7)
    ax.set_xlabel("predicted", fontsize=8)
    ax.set_ylabel("true", fontsize=8)
    ax.set_title(f"{m.name}\naccuracy {100 * m.accuracy:.1f} %", fontsize=8)


def plot_f1(comparison: Comparison, path: str | Path) -> Path:
    """Per-class F1 of every measured model, as grouped bars."""
    models = [m for m in comparison.models if m.per_class_f1]
    names = comparison.class_names
    fig, top = _new_figure(comparison, (11.0, 5.0))
    ax = fig.add_subplot()
    width = 0.8 / max(len(models), 1)
    x = np.arange(len(names))
    for k, m in enumerate(models):
        values = [m.per_class_f1[c] for c in names]
        ax.bar(x + (k - (len(models) - 1) / 2) * width, values, width, label=m.name)
    ax.set_xticks(x, names)
    ax.tick_params(axis="x", length=0)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1 on the test split")
    ax.set_title("Per-class F1", fontsize=11)
    ax.grid(True, axis="y", alpha=0.3)
    if models:
        ax.legend(
            fontsize=7, ncols=min(len(models), 4), loc="upper center", bbox_to_anchor=(0.5, -0.08)
        )
    fig.tight_layout(rect=(0, 0, 1, top))
    return _save(fig, Path(path))


def plot_learning_curves(comparison: Comparison, path: str | Path) -> Path:
    """Training and validation accuracy and loss per epoch of each CNN run."""
    curves = comparison.learning_curves
    fig, top = _new_figure(comparison, (11.0, 1.0 + 3.0 * max(len(curves), 1)))
    axes = fig.subplots(max(len(curves), 1), 2, squeeze=False)
    for row, curve in zip(axes, curves, strict=False):
        epochs = [r["epoch"] for r in curve["history"]]
        for ax, metric, scale in ((row[0], "accuracy", 100), (row[1], "loss", 1)):
            train = [scale * r[metric] for r in curve["history"]]
            val = [scale * r[f"val_{metric}"] for r in curve["history"]]
            ax.plot(epochs, train, color="tab:orange", label="training")
            ax.plot(epochs, val, color="tab:orange", ls="--", label="validation")
            if curve.get("best_epoch"):
                ax.axvline(curve["best_epoch"], color="grey", lw=1, label="checkpoint")
            ax.set_xlabel("epoch")
            ax.set_ylabel("accuracy (%)" if metric == "accuracy" else "loss")
            ax.set_title(f"{curve['run']}: {metric}", fontsize=10)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7)
    fig.tight_layout(rect=(0, 0, 1, top))
    return _save(fig, Path(path))


#: File names of the plots, in the order the HTML report shows them.
PLOT_FILES = {
    "accuracy_vs_size": "accuracy_vs_size.png",
    "accuracy_vs_latency": "accuracy_vs_latency.png",
    "cross_dataset": "cross_dataset.png",
    "confusion_matrices": "confusion_matrices.png",
    "per_class_f1": "per_class_f1.png",
    "learning_curves": "learning_curves.png",
}


def write_plots(comparison: Comparison, out_dir: str | Path) -> dict[str, Path]:
    """Draw every plot into ``out_dir``; returns their paths by key of :data:`PLOT_FILES`."""
    out_dir = Path(out_dir)
    return {
        "accuracy_vs_size": plot_tradeoff(
            comparison,
            "model_bytes",
            "model file on disk (bytes, log scale)",
            "Accuracy against model size",
            out_dir / PLOT_FILES["accuracy_vs_size"],
        ),
        "accuracy_vs_latency": plot_tradeoff(
            comparison,
            "latency_median_ms",
            "batch-1 latency per image, median (ms, log scale)",
            "Accuracy against inference time (measured on this machine)",
            out_dir / PLOT_FILES["accuracy_vs_latency"],
        ),
        **(
            {"cross_dataset": plot_cross_dataset(comparison, out_dir / PLOT_FILES["cross_dataset"])}
            if comparison.cross_datasets
            else {}
        ),
        "confusion_matrices": plot_confusions(
            comparison, out_dir / PLOT_FILES["confusion_matrices"]
        ),
        "per_class_f1": plot_f1(comparison, out_dir / PLOT_FILES["per_class_f1"]),
        **(
            {
                "learning_curves": plot_learning_curves(
                    comparison, out_dir / PLOT_FILES["learning_curves"]
                )
            }
            if comparison.learning_curves
            else {}
        ),
    }
