"""Fixtures of the predict tests: real photographs that ship with scikit-image, a short
video made from one, and small classical run directories fitted on synthetic faces."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC

from fer_classic.classical.persistence import save_pipeline
from fer_classic.data import make_synthetic
from fer_classic.features import PixelFeatures
from fer_classic.files import write_json_atomic
from fer_classic.runs import make_manifest

#: Where the astronaut's face is in ``skimage.data.astronaut()``: x, y, width, height.
ASTRONAUT_FACE = (175, 65, 100, 100)


def astronaut_bgr() -> np.ndarray:
    """Eileen Collins' NASA portrait, uint8 BGR (512, 512, 3)."""
    return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)


def write_run(run_dir: Path, classifier, n_per_class: int = 10) -> Path:
    """A classical run directory: a pixels pipeline fitted on synthetic faces."""
    data = make_synthetic(n_per_class)
    pipeline = make_pipeline(
        PixelFeatures(),
        MinMaxScaler(),
        classifier,
    )
    pipeline.fit(data.train.images, data.train.labels)
    run_dir.mkdir(parents=True)
    save_pipeline(pipeline, run_dir / "model.skops")
    write_json_atomic(
        run_dir / "manifest.json", make_manifest("classical", seed=0, data=data.describe())
    )
    return run_dir


def write_shifted_video(
    path: Path, image: np.ndarray, n_frames: int = 8, fps: float = 10.0
) -> Path:
    """A video of ``image`` moving 3 px right and 2 px down per frame."""
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened()
    for i in range(n_frames):
        shift = np.float32([[1, 0, 3 * i], [0, 1, 2 * i]])
        writer.write(cv2.warpAffine(image, shift, (width, height), borderMode=cv2.BORDER_REPLICATE))
    writer.release()
    return path


@pytest.fixture(scope="session")
def knn_run(tmp_path_factory) -> Path:
    return write_run(tmp_path_factory.mktemp("runs") / "knn", KNeighborsClassifier(3))


@pytest.fixture(scope="session")
def svm_run(tmp_path_factory) -> Path:
    return write_run(tmp_path_factory.mktemp("runs") / "svm", SVC())


@pytest.fixture(scope="session")
def photos(tmp_path_factory) -> Path:
    """A folder with the astronaut (one face) and a cup of coffee (no face)."""
    folder = tmp_path_factory.mktemp("photos")
    cv2.imwrite(str(folder / "astronaut.png"), astronaut_bgr())
    cv2.imwrite(str(folder / "coffee.jpg"), cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR))
    return folder


@pytest.fixture(scope="session")
def astronaut_video(tmp_path_factory) -> Path:
    return write_shifted_video(tmp_path_factory.mktemp("video") / "astronaut.mp4", astronaut_bgr())
