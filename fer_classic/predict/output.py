"""Prediction records and the JSON and CSV files that hold them.

One record per face::

    {"input": "photos/a.jpg", "frame": null, "time_s": null, "face": 0, "track": null,
     "box": {"x": 177, "y": 66, "width": 97, "height": 97},
     "label": "happy", "score": 0.81,
     "probabilities": {"angry": 0.02, ..., "neutral": 0.05}}

``frame``, ``time_s`` (seconds from the start) and ``track`` are set for videos.
``score`` is the label's entry of the scores. A model that gives decision scores
instead of probabilities (see :mod:`fer_classic.inference`) fills
``"decision_scores"`` instead of ``"probabilities"``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..files import write_text_atomic

#: Output formats of the records.
FORMATS = ("json", "csv")


def scores_key(probability_kind: str) -> str:
    """The record key of the class scores: ``probabilities`` or ``decision_scores``."""
    return "decision_scores" if probability_kind == "decision_scores" else "probabilities"


def face_records(
    input_name: str,
    boxes: np.ndarray,
    scores: np.ndarray,
    class_names: Sequence[str],
    probability_kind: str,
    *,
    frame: int | None = None,
    time_s: float | None = None,
    tracks: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """The records of the faces of one image or frame.

    Parameters
    ----------
    input_name : str
    boxes : ndarray of int, shape (N, 4)
        ``x, y, width, height`` in pixels.
    scores : ndarray of float, shape (N, n_classes)
        Columns follow ``class_names``.
    class_names : sequence of str
    probability_kind : str
        :attr:`fer_classic.inference.Classifier.probability_kind`.
    frame, time_s : optional
        Frame index and its time in seconds, for videos.
    tracks : ndarray of int, shape (N,), optional
        Track id of each face, for videos.
    """
    key = scores_key(probability_kind)
    best = np.argmax(scores, axis=1) if len(scores) else np.empty(0, dtype=np.int64)
    records = []
    for i, (box, row, b) in enumerate(zip(boxes, scores, best, strict=True)):
        x, y, w, h = (int(v) for v in box)
        records.append(
            {
                "input": input_name,
                "frame": frame,
                "time_s": None if time_s is None else round(float(time_s), 4),
                "face": i,
                "track": None if tracks is None else int(tracks[i]),
                "box": {"x": x, "y": y, "width": w, "height": h},
                "label": class_names[int(b)],
                "score": round(float(row[b]), 4),
                key: {name: round(float(v), 4) for name, v in zip(class_names, row, strict=True)},
            }
        )
    return records


def write_json(path: str | os.PathLike[str], report: Mapping[str, Any]) -> None:
    """Write the report (model, inputs, faces, tracks, speed) as JSON, atomically.

    Keys keep their order: records read input, frame, box, label, then the scores
    in the model's class order.
    """
    write_text_atomic(path, json.dumps(report, indent=2) + "\n")


def write_csv(
    path: str | os.PathLike[str],
    faces: Sequence[Mapping[str, Any]],
    inputs: Sequence[Mapping[str, Any]],
    class_names: Sequence[str],
    probability_kind: str,
) -> None:
    """Write one row per face, atomically; an input without faces gets one empty row.

    Columns: ``input, frame, time_s, track, face, x, y, width, height, label,
    score`` and one ``p_<class>`` (probabilities) or ``s_<class>`` (decision
    scores) column per class.
    """
    key = scores_key(probability_kind)
    prefix = "s_" if key == "decision_scores" else "p_"
    header = ["input", "frame", "time_s", "track", "face", "x", "y", "width", "height"]
    header += ["label", "score", *(prefix + name for name in class_names)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    by_input: dict[str, list[Mapping[str, Any]]] = {}
    for face in faces:
        by_input.setdefault(face["input"], []).append(face)
    for item in inputs:
        rows = by_input.get(item["input"], [])
        if not rows:
            writer.writerow([item["input"], *[""] * (len(header) - 1)])
        for face in rows:
            box = face["box"]
            writer.writerow(
                [
                    face["input"],
                    _blank(face["frame"]),
                    _blank(face["time_s"]),
                    _blank(face["track"]),
                    face["face"],
                    box["x"],
                    box["y"],
                    box["width"],
                    box["height"],
                    face["label"],
                    face["score"],
                    *(face[key][name] for name in class_names),
                ]
            )
    write_text_atomic(path, buffer.getvalue())


def _blank(value: Any) -> Any:
    return "" if value is None else value
