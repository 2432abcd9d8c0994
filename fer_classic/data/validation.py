"""Checks at the data boundary: what passes here, inner code trusts."""

from __future__ import annotations

import numpy as np

from .images import IMAGE_SIZE


def check_images(
    images: np.ndarray, name: str = "images", *, allow_empty: bool = False
) -> np.ndarray:
    """Check a batch of grey faces: uint8, shape ``(N, 48, 48)``.

    The one check of the batches that the data layer, the models and inference
    pass around.

    Parameters
    ----------
    images : array-like
    name : str
        What the batch is called in the error message.
    allow_empty : bool
        Accept ``N == 0``.

    Returns
    -------
    ndarray of uint8, shape (N, 48, 48)
        C-contiguous.

    Raises
    ------
    ValueError
        Another dtype or shape, or an empty batch unless ``allow_empty``.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"{name} must be uint8 grey values 0..255, got dtype {images.dtype}")
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(
            f"{name} must have shape (N, {IMAGE_SIZE}, {IMAGE_SIZE}), got {images.shape}"
        )
    if len(images) == 0 and not allow_empty:
        raise ValueError(f"{name} is an empty batch")
    return np.ascontiguousarray(images)


def check_labels(labels: np.ndarray, n_images: int, n_classes: int) -> np.ndarray:
    """Check labels: integers in ``0..n_classes-1``, one per image; returns int64."""
    labels = np.asarray(labels)
    if labels.shape != (n_images,):
        raise ValueError(f"labels must have shape ({n_images},), got {labels.shape}")
    if labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if n_images and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    return labels.astype(np.int64)
