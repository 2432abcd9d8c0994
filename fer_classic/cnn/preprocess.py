"""From the data layer's grey uint8 images to the network's input."""

from __future__ import annotations

import numpy as np

from ..data.images import IMAGE_SIZE
from ..data.validation import check_images

__all__ = ["IMAGE_SIZE", "to_model_input"]


def to_model_input(images: np.ndarray, channels: int = 3) -> np.ndarray:
    """Scale grey images to [0, 1] and give them ``channels`` identical channels.

    Parameters
    ----------
    images : ndarray of uint8, shape (N, 48, 48)
        Grey face images, as :class:`fer_classic.data.Split` holds them.
    channels : {1, 3}
        3 duplicates the grey channel, as the thesis does for its RGB layers.

    Returns
    -------
    ndarray of float32, shape (N, 48, 48, channels)
    """
    images = check_images(images, allow_empty=True)
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    x = images.astype(np.float32)
    x *= np.float32(1.0 / 255.0)
    x = x[..., np.newaxis]
    if channels == 3:
        x = np.repeat(x, 3, axis=-1)
    return x
