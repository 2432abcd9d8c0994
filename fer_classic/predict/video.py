"""Reading video frames and writing annotated videos, with OpenCV."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from ..errors import DataError

#: Codec and file ending of annotated videos: MPEG-4 part 2, which the
#: opencv-python-headless wheels write on every platform without a system codec.
VIDEO_CODEC, VIDEO_SUFFIX = "mp4v", ".mp4"


class VideoReader:
    """Frames of a video file, with its frame rate.

    Attributes
    ----------
    path : Path
    fps : float
        Frames per second the file declares; 0 when it declares none (times are
        then frame numbers).
    frame_count : int
        Frames the file declares (an estimate for some containers; 0 if unknown).
    width, height : int
        Frame size in pixels.

    Raises
    ------
    DataError
        OpenCV cannot open the file or decode its first frame.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        capture = cv2.VideoCapture(str(self.path))
        ok, first = capture.read() if capture.isOpened() else (False, None)
        if not ok or first is None:
            capture.release()
            raise DataError(
                f"{self.path}: not a video OpenCV can read (unsupported format or codec)"
            )
        self._capture = capture
        self._first: np.ndarray | None = first
        self.fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.frame_count = max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 0)
        self.height, self.width = first.shape[:2]

    def frames(self) -> Iterator[tuple[int, float, np.ndarray]]:
        """Yield ``(index, time_s, frame)`` for every frame, frames uint8 BGR ``(H, W, 3)``.

        ``time_s`` is ``index / fps``, or the index when the file has no frame rate.
        """
        index = 0
        frame = self._first
        self._first = None
        while frame is not None:
            yield index, index / self.fps if self.fps > 0 else float(index), frame
            ok, frame = self._capture.read()
            frame = frame if ok else None
            index += 1

    def close(self) -> None:
        self._capture.release()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_video_writer(
    path: str | os.PathLike[str], fps: float, width: int, height: int
) -> cv2.VideoWriter:
    """A :class:`cv2.VideoWriter` of BGR frames in :data:`VIDEO_CODEC`.

    Raises
    ------
    DataError
        OpenCV cannot write such a video here.
    """
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*VIDEO_CODEC), fps if fps > 0 else 25.0, (width, height)
    )
    if not writer.isOpened():
        raise DataError(f"{path}: OpenCV cannot write {VIDEO_CODEC} video here")
    return writer
