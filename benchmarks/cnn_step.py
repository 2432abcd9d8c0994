"""The training step that ``cnn_training_cost.py`` and ``cnn_step_speed.py`` time.

Both time the model that ``fer-classic train-cnn --arch ARCH`` fits
(:func:`fer_classic.cnn.train.build_training_model`) on one batch of random
images, drawn here so that both scripts time the same batch. Importing this
module does not import Keras, so that a script can set the backend's
environment before Keras starts.
"""

from __future__ import annotations

import numpy as np

from fer_classic.cnn.config import CNNConfig

#: Classes of FER-2013, the width of the networks' softmax.
N_CLASSES = 7


def step_config(arch: str, batch_size: int | None = None, *, augment: bool = True) -> CNNConfig:
    """The recipe of ``arch``, with another batch size or augmentation off.

    Parameters
    ----------
    arch : str
        Registered architecture (:mod:`fer_classic.cnn.architectures`).
    batch_size : int, optional
        Images per step; default the recipe's.
    augment : bool
        Augment the images inside the step, as training does.

    Returns
    -------
    CNNConfig
    """
    changes: dict[str, object] = {"augment": augment}
    if batch_size is not None:
        changes["batch_size"] = batch_size
    return CNNConfig.for_architecture(arch, **changes).validate()


def random_batch(config: CNNConfig, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One batch of uniform random images in [0, 1) and random one-hot labels.

    Parameters
    ----------
    config : CNNConfig
        Gives the batch size and the input channels.
    seed : int
        Seed of the images and labels.

    Returns
    -------
    x : ndarray of float32, shape (config.batch_size, 48, 48, config.channels)
    y : ndarray of float32, shape (config.batch_size, 7)
    """
    rng = np.random.default_rng(seed)
    x = rng.random((config.batch_size, 48, 48, config.channels), dtype=np.float32)
    labels = rng.integers(0, N_CLASSES, config.batch_size)
    return x, np.eye(N_CLASSES, dtype=np.float32)[labels]
