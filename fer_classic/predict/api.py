"""Facial expressions of the faces in photographs and videos: the function behind ``predict``."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from pathlib import Path

from ..errors import FerClassicError
from ..files import check_writable_dir
from ..inference import Classifier, load_model
from .faces import FaceDetector
from .output import FORMATS, write_csv, write_json
from .results import PredictionResult
from .session import Session
from .sources import Source, collect_sources


def predict(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    model: str | os.PathLike[str] | Classifier | None = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    output_format: str = "json",
    annotate: bool = False,
    plots: bool = True,
    detector: str = "haar",
    min_face: int = 40,
    margin: float = 0.1,
    every: int = 1,
    max_side: int | None = 1280,
    skip_unreadable: bool = False,
    progress: bool = False,
) -> PredictionResult:
    """Find the faces in images and videos and classify their expressions.

    Parameters
    ----------
    inputs : path or iterable of paths
        Image files, folders of images and videos, video files.
    model : path, Classifier or None
        Anything :func:`fer_classic.inference.load_model` takes; None is the
        packaged CNN with the best validation accuracy.
    out_dir : path, optional
        Where ``predictions.json`` / ``predictions.csv``, ``annotated/`` and
        ``plots/`` go; None writes nothing.
    output_format : {"json", "csv"}
    annotate : bool
        Write copies of the images and videos with boxes and labels drawn.
    plots : bool
        Write a plot of each video track's scores over time.
    detector : {"haar", "hog", "dnn"}
        See :mod:`fer_classic.predict.faces`.
    min_face : int
        Smallest face side, in pixels.
    margin : float
        Added around each face box before cropping, as a fraction of its side.
    every : int
        Classify every ``every``-th frame of videos (annotated videos keep every
        frame, with the latest boxes).
    max_side : int or None
        Longer side, in pixels, of the copy faces are searched in.
    skip_unreadable : bool
        Record unreadable images and videos and go on, instead of stopping.
    progress : bool
        Show a progress bar per video on stderr.

    Raises
    ------
    FerClassicError
        A missing or unreadable input (unless ``skip_unreadable``), or a model that
        cannot be loaded.
    """
    if output_format not in FORMATS:
        raise ValueError(f"output_format must be one of {FORMATS}, got {output_format!r}")
    if every < 1:
        raise ValueError(f"every must be >= 1, got {every}")
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    sources = collect_sources(inputs)
    classifier = load_model(model)
    face_detector = FaceDetector(detector, min_face=min_face, max_side=max_side)
    out = check_writable_dir(out_dir) if out_dir is not None else None
    result = PredictionResult(
        model=classifier.describe(),
        settings={
            "detector": detector,
            "min_face": min_face,
            "margin": margin,
            "every": every,
            "max_side": max_side,
        },
    )
    run = Session(classifier, face_detector, margin, every, out, annotate, plots, progress)
    try:
        for source in sources:
            _predict_source(run, source, result, skip_unreadable)
    except KeyboardInterrupt:
        # Keep what was found: finished inputs, and the frames of the current video
        # processed so far.
        result.complete = False
        _finish(run, result, out, output_format)
        raise
    _finish(run, result, out, output_format)
    return result


def _predict_source(
    run: Session, source: Source, result: PredictionResult, skip_unreadable: bool
) -> None:
    try:
        if source.kind == "video":
            run.video(source, result)
        else:
            run.image(source, result)
    except FerClassicError as exc:
        if not skip_unreadable:
            raise
        warnings.warn(str(exc), stacklevel=3)
        result.inputs.append(
            {
                "input": str(source.path),
                "kind": source.kind,
                "status": "unreadable",
                "error": str(exc),
                "faces": 0,
            }
        )


def _finish(run: Session, result: PredictionResult, out: Path | None, output_format: str) -> None:
    """Fill in the speed and write the records file."""
    result.speed = run.speed()
    if out is None:
        return
    path = out / f"predictions.{output_format}"
    result.files.append(str(path))
    with run.timer("write"):
        if output_format == "json":
            write_json(path, result.to_dict())
        else:
            kind = run.classifier.probability_kind
            write_csv(path, result.faces, result.inputs, run.classifier.class_names, kind)
