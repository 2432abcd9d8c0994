"""Face-recognition embeddings: dlib's 128-dimensional ResNet descriptor of each face.

What it captures: what a network trained to tell people apart keeps of a face
(Smelyakov et al. 2022, seed 002, ask whether such a backbone carries
expression). The network is dlib's face-recognition ResNet
(``dlib_face_recognition_resnet_model_v1``, 29 convolutional layers, trained on
about three million faces), whose weights the PyPI package
``face_recognition_models`` ships with dlib's 5-point shape predictor.

Each grey face is resized to ``size`` pixels and repeated into three channels;
the 5-point predictor finds the eye corners and the nose on the whole frame (or
on the largest face dlib's detector finds, with ``detect=True``); dlib aligns the
face on them into a 150x150 chip with ``padding`` (``dlib.get_face_chip``, the
alignment the network was trained with) and the network maps each chip to a
128-dimensional vector. Chips are embedded in batches.

The models are loaded lazily, once per process, and never stored on a
transformer, which therefore pickles and clones like any other.
"""

from __future__ import annotations

import functools

import numpy as np

from ._base import ImageFeatures
from ._batch import map_chunks
from ._validation import as_images, check_positive_int

#: Length of the descriptor.
N_DIMENSIONS = 128
#: Side of the aligned chip the network takes, in pixels.
CHIP_SIZE = 150
_CHUNK = 64


def model_paths() -> tuple[str, str]:
    """Paths of the network and of the 5-point predictor shipped by ``face_recognition_models``."""
    import face_recognition_models

    return (
        face_recognition_models.face_recognition_model_location(),
        face_recognition_models.pose_predictor_five_point_model_location(),
    )


@functools.lru_cache(maxsize=1)
def _models():
    import dlib

    network, predictor = model_paths()
    return dlib.face_recognition_model_v1(network), dlib.shape_predictor(predictor)


@functools.lru_cache(maxsize=1)
def _detector():
    import dlib

    return dlib.get_frontal_face_detector()


def _check_params(size, padding, jitters) -> tuple[int, float, int]:
    size = check_positive_int("size", size, minimum=32)
    try:
        padding = float(padding)
    except (TypeError, ValueError):
        raise ValueError(f"padding must be a number >= 0; got {padding!r}") from None
    if not 0 <= padding <= 1:
        raise ValueError(f"padding must be between 0 and 1 (a fraction of the face); got {padding}")
    jitters = check_positive_int("jitters", jitters, minimum=0)
    return size, padding, jitters


def _embed(images, size, padding, jitters, detect) -> np.ndarray:
    """``(N, 128)`` float32 descriptors of a uint8 ``(N, H, W)`` batch."""
    import cv2
    import dlib

    network, predictor = _models()
    frame = dlib.rectangle(0, 0, size - 1, size - 1)
    chips = []
    for image in images:
        resized = cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR)
        rgb = cv2.cvtColor(resized, cv2.COLOR_GRAY2RGB)
        rect = frame
        if detect:
            faces = _detector()(rgb, 1)
            if len(faces):
                rect = max(faces, key=lambda face: face.area())
        shape = predictor(rgb, rect)
        chips.append(dlib.get_face_chip(rgb, shape, size=CHIP_SIZE, padding=padding))
    descriptors = network.compute_face_descriptor(chips, num_jitters=jitters)
    return np.asarray(descriptors, dtype=np.float32).reshape(len(images), N_DIMENSIONS)


def face_embeddings(images, size=150, padding=0.25, jitters=0, detect=False, n_jobs=None):
    """dlib's face-recognition descriptor of each face.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey face crops.
    size : int
        Side in pixels each image is resized to (bilinear) for the 5-point
        predictor and the alignment; at least 32.
    padding : float
        Margin around the face in the aligned chip, as a fraction of the face's
        size, in [0, 1] (dlib's default 0.25).
    jitters : int
        Randomly jittered copies of each chip whose descriptors are averaged
        (dlib's ``num_jitters``); 0 embeds the chip alone, and only then is the
        output deterministic. Each jitter costs one more pass of the network.
    detect : bool
        Run dlib's face detector first and align on its largest face when it finds
        one; the default aligns on the whole frame, as FER-2013's registered crops
        need.
    n_jobs : int or None
        joblib workers (processes, each loading the models once); None is one.

    Returns
    -------
    float32 (N, 128): the network's descriptors, in which faces of one person
    lie within about 0.6 of each other in Euclidean distance.
    """
    images = as_images(images)
    size, padding, jitters = _check_params(size, padding, jitters)
    return map_chunks(
        _embed,
        images,
        chunk_size=_CHUNK,
        n_jobs=n_jobs,
        size=size,
        padding=padding,
        jitters=jitters,
        detect=bool(detect),
    )


class FaceEmbedFeatures(ImageFeatures):
    """Face-recognition embeddings as a transformer; see :func:`face_embeddings`.

    Parameters
    ----------
    size : int, default=150
    padding : float, default=0.25
    jitters : int, default=0
    detect : bool, default=False
    n_jobs : int or None, default=None
        Parallel workers (processes); does not change the output.

    Output size: 128. Cost: one pass of a 29-layer ResNet on a 150x150 chip per
    image and jitter, about a tenth of a second on one core.
    """

    def __init__(self, size=150, padding=0.25, jitters=0, detect=False, n_jobs=None):
        self.size = size
        self.padding = padding
        self.jitters = jitters
        self.detect = detect
        self.n_jobs = n_jobs

    def _n_features(self, image_shape):
        _check_params(self.size, self.padding, self.jitters)
        return N_DIMENSIONS

    _function = staticmethod(face_embeddings)
