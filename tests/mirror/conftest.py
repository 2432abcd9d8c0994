"""Fixtures of the mirror's tests: the packaged model, a live server, frames of a real photo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data

from fer_classic.inference import Classifier, load_model
from fer_classic.mirror import MirrorServer, open_mirror

#: Where the astronaut's face is in ``skimage.data.astronaut()``: x, y, width, height.
ASTRONAUT_FACE = (175, 65, 100, 100)


def astronaut_bgr() -> np.ndarray:
    """Eileen Collins' NASA portrait, uint8 BGR (512, 512, 3)."""
    return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)


def camera_frames(n_frames: int = 10, width: int = 640, height: int = 480) -> list[np.ndarray]:
    """The astronaut as a camera would see her: ``height`` x ``width`` BGR frames, the photo
    scaled to the frame's height in the middle of a grey background, moving slightly."""
    side = height
    picture = cv2.resize(astronaut_bgr(), (side, side), interpolation=cv2.INTER_AREA)
    frame = np.full((height, width, 3), 128, dtype=np.uint8)
    left = (width - side) // 2
    frame[:, left : left + side] = picture
    frames = []
    for i in range(n_frames):
        shift = np.float32([[1, 0, 2 * i], [0, 1, i]])
        frames.append(
            cv2.warpAffine(frame, shift, (width, height), borderMode=cv2.BORDER_REPLICATE)
        )
    return frames


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 15) -> Path:
    """A YUV4MPEG2 (4:2:0) video of BGR ``frames``, the format Chromium's fake camera reads."""
    height, width = frames[0].shape[:2]
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path


def jpeg(image: np.ndarray, quality: int = 80) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes()


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    """The packaged default CNN, as ``fer-classic mirror`` loads it without --model."""
    return load_model(None)


@pytest.fixture(scope="session")
def astronaut_jpeg() -> bytes:
    return jpeg(camera_frames(1)[0])


@pytest.fixture(scope="module")
def server(classifier) -> Iterator[MirrorServer]:
    """A mirror serving the packaged model on a free port, from a background thread."""
    with open_mirror(classifier, port=0) as running:
        yield running
