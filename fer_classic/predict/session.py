"""The work of one ``predict`` call, input by input: images, videos, tracks, speed."""

from __future__ import annotations

import contextlib
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..files import atomic_path
from ..inference import Classifier
from .annotate import draw_faces
from .faces import FaceDetector
from .images import read_color_image, write_image
from .output import face_records, scores_key
from .pipeline import FacePredictions, Timer, predict_faces
from .plots import plot_track
from .results import PredictionResult
from .sources import Source
from .tracking import IoUTracker
from .video import VIDEO_SUFFIX, VideoReader, open_video_writer

_WRITABLE_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


class Session:
    """State shared by the inputs of one :func:`predict` call."""

    def __init__(
        self,
        classifier: Classifier,
        detector: FaceDetector,
        margin: float,
        every: int,
        out: Path | None,
        annotate: bool,
        plots: bool,
        progress: bool,
    ) -> None:
        self.classifier = classifier
        self.detector = detector
        self.margin = margin
        self.every = every
        self.out = out
        self.annotate = annotate and out is not None
        self.plots = plots and out is not None
        self.progress = progress
        self.timer = Timer()
        self.frames = 0
        self.pixels = 0
        self.n_faces = 0
        self._used_names: set[str] = set()

    def _faces(self, image: np.ndarray) -> FacePredictions:
        found = predict_faces(image, self.classifier, self.detector, self.margin, self.timer)
        self.frames += 1
        self.pixels += image.shape[0] * image.shape[1]
        self.n_faces += len(found.boxes)
        return found

    def _captions(self, found: FacePredictions, tracks: np.ndarray | None = None) -> list[str]:
        names = self.classifier.class_names
        fmt = "{:.2f}" if self.classifier.gives_probabilities else "{:+.2f}"
        captions = []
        for i, (b, row) in enumerate(zip(found.labels, found.scores, strict=True)):
            text = f"{names[b]} {fmt.format(row[b])}"
            captions.append(f"#{tracks[i]} {text}" if tracks is not None else text)
        return captions

    def _names(self, found: FacePredictions) -> list[str]:
        return [self.classifier.class_names[b] for b in found.labels]

    def _out_name(self, folder: str, path: Path, suffix: str) -> Path:
        assert self.out is not None
        stem, n = path.stem, 1
        while f"{stem}{suffix}" in self._used_names:
            n += 1
            stem = f"{path.stem}-{n}"
        self._used_names.add(f"{stem}{suffix}")
        return self.out / folder / f"{stem}{suffix}"

    def image(self, source: Source, result: PredictionResult) -> None:
        with self.timer("read"):
            image = read_color_image(source.path)
        found = self._faces(image)
        name = str(source.path)
        result.faces.extend(
            face_records(
                name,
                found.boxes,
                found.scores,
                self.classifier.class_names,
                self.classifier.probability_kind,
            )
        )
        entry: dict[str, Any] = {
            "input": name,
            "kind": "image",
            "status": "ok" if len(found.boxes) else "no face",
            "faces": len(found.boxes),
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
        }
        if self.annotate:
            suffix = source.path.suffix.lower()
            suffix = suffix if suffix in _WRITABLE_IMAGE_SUFFIXES else ".png"
            path = self._out_name("annotated", source.path, suffix)
            with self.timer("write"):
                write_image(
                    path, draw_faces(image, found.boxes, self._captions(found), self._names(found))
                )
            entry["annotated"] = str(path)
            result.files.append(str(path))
        result.inputs.append(entry)

    def video(self, source: Source, result: PredictionResult) -> None:
        name = str(source.path)
        tracker = IoUTracker()
        series: dict[int, tuple[list[float], list[int], list[np.ndarray]]] = defaultdict(
            lambda: ([], [], [])
        )
        n_frames = n_processed = n_faces = 0
        with contextlib.ExitStack() as stack:
            with self.timer("read"):
                reader = stack.enter_context(VideoReader(source.path))
            writer = None
            if self.annotate:
                path = self._out_name("annotated", source.path, VIDEO_SUFFIX)
                tmp = stack.enter_context(atomic_path(path))
                writer = open_video_writer(tmp, reader.fps, reader.width, reader.height)
                stack.callback(writer.release)
            drawn: tuple[np.ndarray, list[str], list[str]] | None = None
            frames = reader.frames()
            bar = tqdm(
                total=reader.frame_count or None,
                desc=source.path.name,
                unit="frame",
                disable=not self.progress,
                leave=False,
            )
            stack.callback(bar.close)
            while True:
                with self.timer("read"):
                    item = next(frames, None)
                if item is None:
                    break
                index, time_s, frame = item
                n_frames += 1
                bar.update(1)
                if index % self.every == 0:
                    found = self._faces(frame)
                    ids = tracker.update(found.boxes)
                    n_processed += 1
                    n_faces += len(ids)
                    for track, row in zip(ids, found.scores, strict=True):
                        times, indices, scores = series[int(track)]
                        times.append(time_s)
                        indices.append(index)
                        scores.append(row)
                    result.faces.extend(
                        face_records(
                            name,
                            found.boxes,
                            found.scores,
                            self.classifier.class_names,
                            self.classifier.probability_kind,
                            frame=index,
                            time_s=time_s,
                            tracks=ids,
                        )
                    )
                    drawn = (found.boxes, self._captions(found, ids), self._names(found))
                if writer is not None:
                    with self.timer("write"):
                        if drawn is not None:
                            frame = draw_faces(frame, *drawn)
                        writer.write(frame)
        if writer is not None:
            result.files.append(str(path))
        time_unit = "s" if reader.fps > 0 else "frame"
        track_entries = [
            self._track(name, source.path, track, *series[track], time_unit)
            for track in sorted(series)
        ]
        result.tracks.extend(track_entries)
        result.files.extend(t["plot"] for t in track_entries if t.get("plot"))
        entry: dict[str, Any] = {
            "input": name,
            "kind": "video",
            "status": "ok" if n_faces else "no face",
            "faces": n_faces,
            "tracks": len(series),
            "frames": n_frames,
            "frames_processed": n_processed,
            "fps": reader.fps,
            "width": reader.width,
            "height": reader.height,
        }
        if writer is not None:
            entry["annotated"] = str(path)
        result.inputs.append(entry)

    def _track(
        self,
        name: str,
        video: Path,
        track: int,
        times: list[float],
        frames: list[int],
        scores: list[np.ndarray],
        time_unit: str,
    ) -> dict[str, Any]:
        class_names = self.classifier.class_names
        matrix = np.asarray(scores, dtype=np.float64)
        mean = matrix.mean(axis=0)
        counts = Counter(class_names[i] for i in np.argmax(matrix, axis=1))
        entry: dict[str, Any] = {
            "input": name,
            "track": track,
            "faces": len(frames),
            "first_frame": frames[0],
            "last_frame": frames[-1],
            "start_s": round(times[0], 4) if time_unit == "s" else None,
            "end_s": round(times[-1], 4) if time_unit == "s" else None,
            "label": class_names[int(np.argmax(mean))],
            "label_counts": dict(counts.most_common()),
            "mean_" + scores_key(self.classifier.probability_kind): {
                c: round(float(v), 4) for c, v in zip(class_names, mean, strict=True)
            },
        }
        if self.plots:
            path = self._out_name("plots", Path(f"{video.stem}_track{track}"), ".png")
            with self.timer("write"):
                plot_track(
                    path,
                    np.asarray(times),
                    matrix,
                    class_names,
                    probabilities=self.classifier.gives_probabilities,
                    title=f"{video.name}, track {track}: {self.classifier.name}",
                    time_unit=time_unit,
                )
            entry["plot"] = str(path)
        return entry

    def speed(self) -> dict[str, Any]:
        seconds = dict(self.timer.seconds)
        pipeline = sum(seconds.get(k, 0.0) for k in ("read", "detect", "classify"))
        return {
            "frames": self.frames,
            "faces": self.n_faces,
            "mean_frame_pixels": round(self.pixels / self.frames) if self.frames else 0,
            "seconds": {k: round(v, 4) for k, v in sorted(seconds.items())},
            "frames_per_s": round(self.frames / pipeline, 2) if pipeline > 0 else None,
            "faces_per_s": (
                round(self.n_faces / seconds["classify"], 1)
                if self.n_faces and seconds.get("classify")
                else None
            ),
            "cpu": cpu_description(),
        }


def cpu_description() -> str:
    """The processor's model name where the system tells it, and the cores used."""
    name = ""
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name or 'unknown CPU'}, {cores} cores"
