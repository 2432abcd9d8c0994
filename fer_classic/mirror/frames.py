"""Camera frames in, faces out: ``predict``'s pipeline applied to one encoded frame.

:class:`FrameProcessor` decodes a frame (JPEG or any image OpenCV reads) and runs
:func:`fer_classic.predict.predict_faces` on it, with the detector, margin and
model ``predict`` uses. :class:`LatestFrame` is the one-slot buffer between the
frames a connection receives and the one it processes: a frame that arrives
while another waits replaces it, so nothing queues.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from ..inference import Classifier
from ..predict import FaceDetector, predict_faces
from ..predict.output import face_records
from ..predict.pipeline import Timer

# The keys of predict's face records that a single camera frame has no use for.
_FILE_KEYS = ("input", "frame", "time_s", "track")


class FrameError(ValueError):
    """A frame that is not a decodable image."""


@dataclass
class Counters:
    """Frames of one connection, or of all of them.

    Attributes
    ----------
    received : int
        Frames that arrived.
    processed : int
        Frames whose faces were found and classified.
    dropped : int
        Frames replaced by a newer one before they were processed, or left
        unanswered because the client went.
    failed : int
        Frames that could not be decoded as images.

    ``received - processed - dropped - failed`` is at most 2 per open connection
    (one frame being processed, one waiting), and 0 once all are closed.
    """

    received: int = 0
    processed: int = 0
    dropped: int = 0
    failed: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


class FrameProcessor:
    """Faces, labels and class scores of encoded camera frames.

    Parameters
    ----------
    classifier : Classifier
        From :func:`fer_classic.inference.load_model`.
    detector : FaceDetector
    margin : float
        Added around each face box before cropping, as a fraction of its side.

    Calls from several threads run one at a time (a model is not thread-safe).
    """

    def __init__(self, classifier: Classifier, detector: FaceDetector, margin: float = 0.1):
        self.classifier = classifier
        self.detector = detector
        self.margin = margin
        self._lock = threading.Lock()

    def process(self, data: bytes) -> dict[str, Any]:
        """The faces of one frame.

        Parameters
        ----------
        data : bytes
            An encoded image: JPEG, PNG, WebP or any other format OpenCV decodes.

        Returns
        -------
        dict
            ``width`` and ``height`` of the decoded frame in pixels; ``faces``, one
            ``{"face", "box", "label", "score", "probabilities"}`` per face as in
            ``predict``'s records (``decision_scores`` instead of ``probabilities``
            for a model without probabilities), boxes in the frame's pixels;
            ``server_ms``, milliseconds spent on the frame, and ``stages_ms``, the
            share of decoding, detection and classification.

        Raises
        ------
        FrameError
            ``data`` is not a decodable image.
        """
        with self._lock:
            start = time.perf_counter()
            timer = Timer()
            with timer("decode"):
                image = decode_frame(data)
            found = predict_faces(image, self.classifier, self.detector, self.margin, timer)
            faces = face_records(
                "",
                found.boxes,
                found.scores,
                self.classifier.class_names,
                self.classifier.probability_kind,
            )
            elapsed = time.perf_counter() - start
        for face in faces:
            for key in _FILE_KEYS:
                del face[key]
        return {
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "faces": faces,
            "server_ms": round(elapsed * 1000, 2),
            "stages_ms": {k: round(v * 1000, 2) for k, v in timer.seconds.items()},
        }


def decode_frame(data: bytes) -> np.ndarray:
    """An encoded image as uint8 BGR ``(H, W, 3)``.

    Raises
    ------
    FrameError
        ``data`` is empty or not an image OpenCV decodes.
    """
    buffer = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buffer, cv2.IMREAD_COLOR) if buffer.size else None
    if image is None:
        raise FrameError(f"a frame of {len(data)} bytes is not a decodable image")
    return image


class LatestFrame:
    """The newest frame not yet processed, or nothing.

    :meth:`put` replaces a waiting frame; :meth:`take` waits for one. Use from
    one event loop.
    """

    def __init__(self) -> None:
        self._item: tuple[int, bytes] | None = None
        self._ready = asyncio.Event()

    @property
    def waiting(self) -> bool:
        """Whether a frame waits."""
        return self._item is not None

    def put(self, number: int, data: bytes) -> bool:
        """Keep frame ``number``; True when it replaced (dropped) a waiting one."""
        replaced = self._item is not None
        self._item = (number, data)
        self._ready.set()
        return replaced

    async def take(self) -> tuple[int, bytes]:
        """Wait for a frame and remove it: its number and its bytes."""
        while self._item is None:
            await self._ready.wait()
            self._ready.clear()
        item, self._item = self._item, None
        return item
