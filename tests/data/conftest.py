"""Small data-set fixtures written by the tests themselves: no committed data."""

from __future__ import annotations

import gzip
from pathlib import Path

import cv2
import numpy as np
import pytest

USAGES = ("Training", "PublicTest", "PrivateTest")


def write_fer_csv(
    path: Path,
    labels: np.ndarray,
    usage: list[str],
    images: np.ndarray,
    header: str = "emotion,pixels,Usage",
) -> Path:
    """Write a FER-2013-style CSV (gzip if the name ends in .gz)."""
    lines = [header]
    for label, use, image in zip(labels, usage, images, strict=True):
        lines.append(f"{label},{' '.join(map(str, image.ravel()))},{use}")
    text = "\n".join(lines) + "\n"
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


@pytest.fixture
def small_arrays() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """60 random 48x48 images, labels cycling 0..6, usages cycling the three splits."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(63, 48, 48), dtype=np.uint8)
    labels = np.arange(63) % 7
    usage = [USAGES[(i // 7) % 3] for i in range(63)]
    return images, labels, usage


@pytest.fixture
def fer_csv(tmp_path: Path, small_arrays) -> Path:
    images, labels, usage = small_arrays
    return write_fer_csv(tmp_path / "fer2013.csv", labels, usage, images)


def write_class_folders(root: Path, classes: dict[str, int], size=(48, 48), colour=False) -> Path:
    """``root/<class>/<i>.png``: ``classes`` maps folder names to image counts."""
    rng = np.random.default_rng(1)
    for name, count in classes.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            shape = (*size, 3) if colour else size
            image = rng.integers(0, 256, size=shape, dtype=np.uint8)
            cv2.imwrite(str(folder / f"{i}.png"), image)
    return root
