"""From the data layer's grey uint8 images to the network's input."""

from __future__ import annotations

import numpy as np

#: Side of the square images the network takes, in pixels.
IMAGE_SIZE = 48


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
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8, got {images.dtype}")
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"images must have shape (N, 48, 48), got {images.shape}")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    x = images.astype(np.float32)
    x *= np.float32(1.0 / 255.0)
    x = x[..., np.newaxis]
    if channels == 3:
        x = np.repeat(x, 3, axis=-1)
    return x
