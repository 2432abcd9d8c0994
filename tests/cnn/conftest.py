"""Shared fixtures: a tiny data set and one short training run reused by several tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fer_classic.cnn import CNNConfig
from fer_classic.data import FERDataset, make_synthetic

#: Settings small enough for a CPU in CI: no augmentation or dropout, so that a
#: few epochs on a few dozen images visibly fit them.
TINY = CNNConfig(
    epochs=4,
    batch_size=16,
    learning_rate=1e-3,
    lr_schedule="constant",
    dropout=0.0,
    augment=False,
    class_weights=True,
)


@pytest.fixture(scope="session")
def tiny_dataset() -> FERDataset:
    """The synthetic faces, 8 per class: 42 training, 7 validation, 7 test images."""
    return make_synthetic(n_per_class=8, seed=3)


@pytest.fixture(scope="session")
def trained_run(tiny_dataset: FERDataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory trained for TINY.epochs epochs and exported to TFLite."""
    from fer_classic.cnn.train import train_cnn

    run_dir = tmp_path_factory.mktemp("runs") / "tiny"
    train_cnn(tiny_dataset, run_dir, TINY, export=True, verbose=False)
    return run_dir


@pytest.fixture(scope="session")
def face_batch(tiny_dataset: FERDataset) -> np.ndarray:
    """Sixteen uint8 faces to predict."""
    return np.concatenate([tiny_dataset.train.images[:9], tiny_dataset.test.images])
