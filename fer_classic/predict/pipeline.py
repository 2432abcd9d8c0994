"""One image or video frame: find its faces, crop them, classify them in one call."""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ..inference import Classifier
from .faces import FaceDetector, crop_faces


@dataclass
class FacePredictions:
    """The faces of one image: boxes, 48x48 crops and class scores.

    ``boxes`` int64 ``(N, 4)`` (``x, y, width, height`` in pixels), ``crops`` uint8
    ``(N, 48, 48)``, ``scores`` float32 ``(N, n_classes)``, ``labels`` int64 ``(N,)``
    indices into the classifier's class names.
    """

    boxes: np.ndarray
    crops: np.ndarray
    scores: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        return np.argmax(self.scores, axis=1).astype(np.int64)


@dataclass
class Timer:
    """Seconds spent per stage."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - start


def predict_faces(
    image: np.ndarray,
    classifier: Classifier,
    detector: FaceDetector,
    margin: float = 0.1,
    timer: Timer | None = None,
) -> FacePredictions:
    """Find the faces of one image and classify them all in one model call.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W) grey or (H, W, 3) BGR
    classifier : Classifier
        From :func:`fer_classic.inference.load_model`.
    detector : FaceDetector
    margin : float
        Added around each box before cropping, as a fraction of its side.
    """
    timer = timer or Timer()
    with timer("detect"):
        boxes = detector.detect(image)
    with timer("classify"):
        crops = crop_faces(image, boxes, margin)
        scores = classifier.predict_proba(crops)
    return FacePredictions(boxes, crops, scores)
