"""Conversion of arbitrary images to the 48x48 grey crops every model sees."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

#: Side of the square images every extractor and model takes, in pixels.
IMAGE_SIZE = 48

#: File endings read as images (lower case).
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp"}
)


def to_gray48(image: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """Convert one image to a uint8 grey ``(size, size)`` array.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` grey, ``(H, W, 3)`` BGR or ``(H, W, 4)`` BGRA, as OpenCV reads
        it; uint8, uint16 (scaled by 1/257) or float in [0, 1].
    size : int
        Side of the output in pixels.

    Returns
    -------
    ndarray of uint8, shape ``(size, size)``
        Other sizes are resized with area interpolation (no aspect-ratio
        correction: the crops of face data sets are square).
    """
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    if image.ndim != 2:
        raise ValueError(f"expected a 2-D or 3-D image, got shape {image.shape}")
    if image.dtype == np.uint16:
        image = (image / 257.0).round().astype(np.uint8)
    elif image.dtype.kind == "f":
        image = (np.clip(image, 0.0, 1.0) * 255.0).round().astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ValueError(f"unsupported image dtype {image.dtype}")
    if image.shape != (size, size):
        image = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
    return image


def read_image(path: str | Path, size: int = IMAGE_SIZE) -> np.ndarray | None:
    """Read an image file as a uint8 grey ``(size, size)`` array; None if unreadable."""
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        return None
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        return None
    return to_gray48(image, size)


@contextlib.contextmanager
def opencv_quiet() -> Iterator[None]:
    """Silence OpenCV's log (``[ WARN:0@1.4] global grfmt_png.cpp ...``) inside the block.

    For readers that report what they skip themselves. OpenCV's log level is
    global: enter it once around a batch of reads, not in each of several threads.
    """
    logging = cv2.utils.logging
    level = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        logging.setLogLevel(level)
