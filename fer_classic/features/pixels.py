"""Raw pixels: the grey levels themselves, optionally downscaled, in [0, 1].

What it captures: everything and nothing in particular; the baseline every
other feature is measured against (seed 003 reports KNN on raw pixels).
"""

from __future__ import annotations

import cv2
import numpy as np

from ._base import ImageFeatures
from ._validation import as_images, check_positive_pair


def _target_shape(image_shape: tuple[int, int], size) -> tuple[int, int]:
    if size is None:
        return image_shape
    return check_positive_pair("size", size)


def pixel_features(images, size=None) -> np.ndarray:
    """Grey levels scaled to [0, 1], optionally downscaled first.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey images (see :class:`PixelFeatures` for what is accepted).
    size : int, (rows, cols) or None
        Resample each image to ``size`` pixels with area averaging
        (``cv2.INTER_AREA``) before scaling; None keeps the original size.

    Returns
    -------
    float32 (N, rows * cols), row-major: 2,304 for 48x48, 576 for ``size=24``.
    """
    images = as_images(images)
    rows, cols = _target_shape(images.shape[1:], size)
    if (rows, cols) != images.shape[1:]:
        images = np.stack(
            [cv2.resize(image, (cols, rows), interpolation=cv2.INTER_AREA) for image in images]
        )
    return (images.reshape(len(images), -1) / np.float32(255)).astype(np.float32)


class PixelFeatures(ImageFeatures):
    """Raw pixels as a transformer; see :func:`pixel_features`.

    Parameters
    ----------
    size : int, (rows, cols) or None, default=None
        Downscale each image to this many pixels first (e.g. 24 for 24x24).

    Output size: ``rows * cols`` (2,304 for 48x48 input and ``size=None``).
    """

    def __init__(self, size=None):
        self.size = size

    def _n_features(self, image_shape):
        rows, cols = _target_shape(image_shape, self.size)
        return rows * cols

    _function = staticmethod(pixel_features)
