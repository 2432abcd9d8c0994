"""Facial landmarks: dlib's 68 points, normalized, plus measures that carry expression.

What it captures: the geometry of the face (how wide and open the mouth is,
how high the brows sit above the eyes, how open the eyes are), not its
texture; seed 001 calls these the geometric methods of FER.

The points come from dlib's 68-point shape predictor (the iBUG 300-W layout)
shipped by the PyPI package ``face_recognition_models``. A 48x48 crop is too
small for it, so each image is resized to ``size`` pixels first. FER-2013
crops are registered faces, so by default the face box handed to the
predictor is the whole frame (``box=(0, 0, 1, 1)``); ``detect=True`` runs
dlib's frontal face detector first and uses the largest face it finds,
falling back to ``box``.

Point indices (0-based): jaw 0-16, brows 17-21 and 22-26, nose 27-35, eyes
36-41 and 42-47, outer lips 48-59, inner lips 60-67.

The predictor is loaded lazily, once per process, and never stored on a
transformer, which therefore pickles and clones like any other.
"""

from __future__ import annotations

import functools

import numpy as np

from ._base import ImageFeatures
from ._batch import map_chunks
from ._validation import as_images, check_positive_int

N_POINTS = 68
_CHUNK = 256

#: Expression measures appended after the coordinates, all in inter-ocular distances
#: (except the ratio and the tilt), in the eye-aligned frame (x right, y down).
MEASURES = (
    "mouth_width",  # corners 48-54
    "mouth_opening",  # inner lips 62-66
    "lips_height",  # outer lips 51-57
    "mouth_aspect",  # mouth_opening / mouth_width
    "mouth_corner_lift",  # mouth centre's y minus the corners' mean y (> 0: corners up, a smile)
    "mouth_to_nose",  # nose tip 33 to upper lip 51
    "chin_to_nose",  # nose tip 33 to chin 8
    "right_brow_to_eye",  # mean y gap between brow 17-21 and eye 36-41
    "left_brow_to_eye",  # mean y gap between brow 22-26 and eye 42-47
    "inner_brows",  # 21-22, small when frowning
    "right_eye_opening",  # (37-41 + 38-40) / 2
    "left_eye_opening",  # (43-47 + 44-46) / 2
    "eye_tilt",  # angle of the inter-ocular line in the image, radians
)


def predictor_path() -> str:
    """Path of the 68-point model file shipped by ``face_recognition_models``."""
    import face_recognition_models

    return face_recognition_models.pose_predictor_model_location()


@functools.lru_cache(maxsize=1)
def _predictor():
    import dlib

    return dlib.shape_predictor(predictor_path())


@functools.lru_cache(maxsize=1)
def _detector():
    import dlib

    return dlib.get_frontal_face_detector()


def _check_params(size, box, detector_upsample) -> tuple[int, tuple[float, float, float, float]]:
    size = check_positive_int("size", size, minimum=16)
    try:
        left, top, right, bottom = (float(v) for v in box)
    except (TypeError, ValueError):
        raise ValueError(f"box must be (left, top, right, bottom) fractions; got {box!r}") from None
    if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
        raise ValueError(
            f"box must be (left, top, right, bottom) fractions of the frame, "
            f"0 <= left < right <= 1 and 0 <= top < bottom <= 1; got {box!r}"
        )
    check_positive_int("detector_upsample", detector_upsample, minimum=0)
    return size, (left, top, right, bottom)


def _points(images, size, box, detect, detector_upsample) -> np.ndarray:
    """``(N, 68, 2)`` float32 (x, y) in the input's pixel coordinates."""
    import cv2
    import dlib

    n, h, w = images.shape
    predictor = _predictor()
    frame = dlib.rectangle(
        round(box[0] * (size - 1)),
        round(box[1] * (size - 1)),
        round(box[2] * (size - 1)),
        round(box[3] * (size - 1)),
    )
    out = np.empty((n, N_POINTS, 2), dtype=np.float32)
    for k, image in enumerate(images):
        resized = cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR)
        rect = frame
        if detect:
            faces = _detector()(resized, detector_upsample)
            if len(faces):
                rect = max(faces, key=lambda face: face.area())
        out[k] = [(p.x, p.y) for p in predictor(resized, rect).parts()]
    # Pixel centres map to pixel centres: x_in = (x_resized + 0.5) * w / size - 0.5.
    out += 0.5
    out *= np.array([w / size, h / size], dtype=np.float32)
    out -= 0.5
    return out


def landmark_points(
    images, size=96, box=(0.0, 0.0, 1.0, 1.0), detect=False, detector_upsample=1, n_jobs=None
):
    """dlib's 68 landmarks of each image.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey face crops.
    size : int
        Side in pixels the image is resized to for the predictor (bilinear).
    box : (left, top, right, bottom)
        Face box as fractions of the frame; the default is the whole frame.
    detect : bool
        Run dlib's face detector first and use its largest face when it finds one.
    detector_upsample : int
        Times the detector upsamples the resized image (finds smaller faces, slower).
    n_jobs : int or None
        joblib workers (processes, each loading the predictor once); None is one.

    Returns
    -------
    float32 (N, 68, 2): (x, y) in the input image's pixel coordinates.
    """
    images = as_images(images)
    size, box = _check_params(size, box, detector_upsample)
    flat = map_chunks(
        _flat_points,
        images,
        chunk_size=_CHUNK,
        n_jobs=n_jobs,
        size=size,
        box=box,
        detect=bool(detect),
        detector_upsample=detector_upsample,
    )
    return flat.reshape(len(images), N_POINTS, 2)


def _flat_points(images, **params):
    return _points(images, **params).reshape(len(images), -1)


def _distance(points, i, j):
    return np.linalg.norm(points[:, i] - points[:, j], axis=-1)


def normalize_points(points: np.ndarray, align: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Points in an eye-centred frame, in inter-ocular distances; and the eye line's tilt.

    The origin is the midpoint of the two eye centres (means of 36-41 and
    42-47), the unit their distance; with ``align`` the points are rotated so
    that the eyes lie on a horizontal line. Returns float64 ``(N, 68, 2)`` and
    the tilt ``(N,)`` in radians.
    """
    points = points.astype(np.float64)
    right_eye, left_eye = points[:, 36:42].mean(axis=1), points[:, 42:48].mean(axis=1)
    centre = (right_eye + left_eye) / 2
    delta = left_eye - right_eye
    iod = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 1e-6)
    tilt = np.arctan2(delta[:, 1], delta[:, 0])
    normalized = (points - centre[:, None]) / iod[:, None, None]
    if align:
        cos, sin = np.cos(-tilt)[:, None], np.sin(-tilt)[:, None]
        x, y = normalized[..., 0], normalized[..., 1]
        normalized = np.stack([cos * x - sin * y, sin * x + cos * y], axis=-1)
    return normalized, tilt


def _measures(points: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """The :data:`MEASURES` of eye-aligned, normalized points, ``(N, len(MEASURES))``."""
    y = points[..., 1]
    mouth_width = _distance(points, 48, 54)
    mouth_opening = _distance(points, 62, 66)
    columns = [
        mouth_width,
        mouth_opening,
        _distance(points, 51, 57),
        mouth_opening / np.maximum(mouth_width, 1e-6),
        (y[:, 51] + y[:, 57]) / 2 - (y[:, 48] + y[:, 54]) / 2,
        _distance(points, 33, 51),
        _distance(points, 33, 8),
        y[:, 36:42].mean(axis=1) - y[:, 17:22].mean(axis=1),
        y[:, 42:48].mean(axis=1) - y[:, 22:27].mean(axis=1),
        _distance(points, 21, 22),
        (_distance(points, 37, 41) + _distance(points, 38, 40)) / 2,
        (_distance(points, 43, 47) + _distance(points, 44, 46)) / 2,
        tilt,
    ]
    return np.stack(columns, axis=1)


def landmark_features(
    images,
    size=96,
    box=(0.0, 0.0, 1.0, 1.0),
    detect=False,
    detector_upsample=1,
    coordinates=True,
    align=True,
    n_jobs=None,
) -> np.ndarray:
    """Normalized landmark coordinates and expression measures.

    Parameters
    ----------
    images, size, box, detect, detector_upsample, n_jobs
        As in :func:`landmark_points`.
    coordinates : bool
        Include the 68 normalized (x, y) pairs (see :func:`normalize_points`);
        without them the output is the measures alone.
    align : bool
        Rotate the points so that the eyes are level before measuring.

    Returns
    -------
    float32 (N, 136 + 13) with coordinates (x0, y0, x1, y1, ...) then the
    :data:`MEASURES`, or (N, 13) without coordinates.
    """
    points = landmark_points(
        images,
        size=size,
        box=box,
        detect=detect,
        detector_upsample=detector_upsample,
        n_jobs=n_jobs,
    )
    normalized, tilt = normalize_points(points, align=align)
    parts = [normalized.reshape(len(points), -1)] if coordinates else []
    parts.append(_measures(normalized, tilt))
    return np.concatenate(parts, axis=1).astype(np.float32)


class LandmarkFeatures(ImageFeatures):
    """Landmark features as a transformer; see :func:`landmark_features`.

    Parameters
    ----------
    size : int, default=96
    box : (left, top, right, bottom), default=(0.0, 0.0, 1.0, 1.0)
    detect : bool, default=False
    detector_upsample : int, default=1
    coordinates : bool, default=True
    align : bool, default=True
    n_jobs : int or None, default=None
        Parallel workers (processes); does not change the output.

    Output size: 149 (136 coordinates + 13 measures), or 13 without coordinates.
    """

    def __init__(
        self,
        size=96,
        box=(0.0, 0.0, 1.0, 1.0),
        detect=False,
        detector_upsample=1,
        coordinates=True,
        align=True,
        n_jobs=None,
    ):
        self.size = size
        self.box = box
        self.detect = detect
        self.detector_upsample = detector_upsample
        self.coordinates = coordinates
        self.align = align
        self.n_jobs = n_jobs

    def _n_features(self, image_shape):
        _check_params(self.size, self.box, self.detector_upsample)
        return (2 * N_POINTS if self.coordinates else 0) + len(MEASURES)

    _function = staticmethod(landmark_features)
