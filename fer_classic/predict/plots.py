"""Emotion over time: one plot per face track of a video (no face pixels)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..files import atomic_path
from .annotate import class_colour


def plot_track(
    path: str | os.PathLike[str],
    times: np.ndarray,
    scores: np.ndarray,
    class_names: Sequence[str],
    *,
    probabilities: bool = True,
    title: str = "",
    time_unit: str = "s",
) -> None:
    """Plot one track's class scores against time and write it as an image, atomically.

    Parameters
    ----------
    path : path
        Output file; its ending picks the format (``.png``, ``.svg``, ``.pdf``).
    times : ndarray of float, shape (T,)
        Time of each of the track's faces, in ``time_unit``.
    scores : ndarray of float, shape (T, n_classes)
        Class scores of each face, columns following ``class_names``.
    probabilities : bool
        True when the scores are probabilities (axis 0..1), False for decision scores.
    title : str
    time_unit : str
        Label of the time axis unit (``"s"``, or ``"frame"`` for videos without a
        frame rate).
    """
    times = np.asarray(times, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(times), len(class_names)):
        raise ValueError(
            f"scores must have shape ({len(times)}, {len(class_names)}), got {scores.shape}"
        )
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    marker = "o" if len(times) < 30 else None
    for c, name in enumerate(class_names):
        blue, green, red = class_colour(name)
        ax.plot(
            times,
            scores[:, c],
            color=(red / 255, green / 255, blue / 255),
            marker=marker,
            markersize=3,
            linewidth=1.4,
            label=name,
        )
    ax.set_xlabel(f"time ({time_unit})")
    ax.set_ylabel("probability" if probabilities else "decision score")
    if probabilities:
        ax.set_ylim(-0.02, 1.02)
    ax.set_title(title or "emotion over time")
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize="small")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format=os.fspath(path).rsplit(".", 1)[-1])
