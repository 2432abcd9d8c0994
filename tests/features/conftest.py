"""Shared fixtures of the feature tests: random images with ties, and real FER-2013 faces."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def images() -> np.ndarray:
    """Twelve random 48x48 uint8 images; half quantized to 4 grey levels, so that
    neighbouring pixels are often equal (the ties LBP and HOG must treat as skimage does)."""
    rng = np.random.default_rng(20240601)
    batch = rng.integers(0, 256, size=(12, 48, 48), dtype=np.uint8)
    batch[:6] = (batch[:6] // 64) * 85
    batch[0, :, :24] = 128  # a flat region: zero gradients, all-equal neighbourhoods
    return batch


@pytest.fixture(scope="session")
def fer_faces() -> np.ndarray:
    """The first 32 test-split faces of FER-2013; skips when the data set is absent."""
    from fer_classic.data import find_fer2013, load_dataset

    path = find_fer2013()
    if path is None:
        pytest.skip("FER-2013 not found (../shared/datasets/fer2013 or $FER2013_PATH)")
    return load_dataset(path, split="canonical").test.images[:32]
