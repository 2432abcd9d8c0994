"""Reading photographs in colour and writing annotated copies."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from ..errors import DataError
from ..files import atomic_path


def read_color_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as uint8 BGR ``(H, W, 3)``, turned upright by its EXIF tag.

    Raises
    ------
    DataError
        The file cannot be read or decoded as an image.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise DataError(f"{path}: not a readable image")
    return image


def write_image(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write ``image`` (uint8 BGR or grey) atomically, in the format its ending names."""
    path = Path(path)
    ok, encoded = cv2.imencode(path.suffix, image)
    if not ok:
        raise DataError(f"{path}: OpenCV cannot write this image format")
    with atomic_path(path) as tmp:
        encoded.tofile(tmp)
