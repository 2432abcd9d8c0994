"""Shared fixtures of the feature tests: random images with ties, real FER-2013 faces, and
the parameters of an extractor as its reference loop takes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


@pytest.fixture(scope="session")
def reference_params() -> Callable[[Any], dict[str, Any]]:
    """A function giving every parameter of an extractor but ``n_jobs``, which its
    reference loop (:mod:`fer_classic.features.reference`) takes as keywords."""

    def params(extractor: Any) -> dict[str, Any]:
        return {k: v for k, v in extractor.get_params().items() if k != "n_jobs"}

    return params
