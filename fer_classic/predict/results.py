"""What a ``predict`` call found, in the shape of ``predictions.json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PredictionResult:
    """What :func:`predict` found, as written to ``predictions.json``.

    Attributes
    ----------
    model : dict
        :meth:`fer_classic.inference.Classifier.describe`.
    settings : dict
        Detector, minimum face, margin, frame step.
    inputs : list of dict
        One per input file: ``input``, ``kind``, ``status`` (``"ok"``, ``"no face"``,
        ``"unreadable"``), ``faces`` and, for videos, ``frames``, ``frames_processed``,
        ``fps``, ``tracks``.
    faces : list of dict
        One record per face (:mod:`fer_classic.predict.output`).
    tracks : list of dict
        One per face track of a video: frames, times, majority and mean label.
    speed : dict
        Frames, faces, seconds per stage, ``frames_per_s`` and ``faces_per_s``.
    files : list of str
        Files written.
    complete : bool
        False when the run was interrupted: the records hold the inputs finished
        and the frames of the video in progress processed so far.
    """

    model: dict[str, Any]
    settings: dict[str, Any]
    inputs: list[dict[str, Any]] = field(default_factory=list)
    faces: list[dict[str, Any]] = field(default_factory=list)
    tracks: list[dict[str, Any]] = field(default_factory=list)
    speed: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "settings": self.settings,
            "inputs": self.inputs,
            "faces": self.faces,
            "tracks": self.tracks,
            "speed": self.speed,
            "files": self.files,
            "complete": self.complete,
        }
