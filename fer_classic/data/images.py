"""Conversion of arbitrary images to the 48x48 grey crops every model sees."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from ..errors import DataError

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


def decode_image(path: str | Path) -> np.ndarray | None:
    """An image file as OpenCV decodes it (any size, grey, BGR or BGRA); None if unreadable."""
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        return None
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)


def read_image(path: str | Path, size: int = IMAGE_SIZE) -> np.ndarray | None:
    """Read an image file as a uint8 grey ``(size, size)`` array; None if unreadable."""
    image = decode_image(path)
    return None if image is None else to_gray48(image, size)


def read_image_files(
    files: Sequence[Path], *, strict: bool = False, n_threads: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read image files as uint8 48x48 grey images, in threads (OpenCV releases the GIL).

    Parameters
    ----------
    files : sequence of path
    strict : bool
        Raise :class:`~fer_classic.errors.DataError` naming the first unreadable
        file instead of marking it.
    n_threads : int, optional
        Reading threads; default twice the cores, at most 8.

    Returns
    -------
    images : ndarray of uint8, shape (len(files), 48, 48)
        Zeros where a file could not be read.
    ok : ndarray of bool, shape (len(files),)
        Which files were read.
    """
    images = np.zeros((len(files), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    ok = np.zeros(len(files), dtype=bool)
    workers = n_threads or min(8, (os.cpu_count() or 1) * 2)
    with opencv_quiet(), ThreadPoolExecutor(max_workers=workers) as pool:
        for i, image in enumerate(pool.map(_read_or_none, files, chunksize=64)):
            if image is None:
                if strict:
                    raise DataError(f"{files[i]}: unreadable or corrupt image")
                continue
            images[i] = image
            ok[i] = True
    return images, ok


def skipped_message(root: Path, files: Sequence[Path], ok: np.ndarray) -> str | None:
    """The warning for the files ``ok`` marks unread: how many, the first three by name."""
    skipped = int(len(files) - np.count_nonzero(ok))
    if not skipped:
        return None
    bad = [str(Path(files[i]).relative_to(root)) for i in np.flatnonzero(~ok)[:3]]
    more = f" and {skipped - len(bad)} more" if skipped > len(bad) else ""
    return f"{root}: skipped {skipped} unreadable image(s): {', '.join(bad)}{more}"


def _read_or_none(path: Path) -> np.ndarray | None:
    try:
        return read_image(path)
    except (OSError, ValueError):
        return None


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
