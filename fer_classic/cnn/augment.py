"""Training-time augmentation as Keras preprocessing layers.

The thesis augments with Keras's ``ImageDataGenerator`` (section 5.1.1): rotations
up to 20 degrees, "very mild" width and height shifts, shear, zoom and horizontal
flips. ``ImageDataGenerator`` is deprecated; these layers do the same on any Keras
backend (TensorFlow, JAX, PyTorch) inside the compiled training step, and are the
identity at inference. Points moved in from outside the image take the nearest
edge pixel, as ``ImageDataGenerator`` does by default.
"""

from __future__ import annotations

import keras
from keras import layers

from .keras_utils import nested_layers


def build_augmenter(
    *,
    rotation_degrees: float = 20.0,
    shift: float = 0.1,
    shear: float = 0.1,
    zoom: float = 0.1,
    horizontal_flip: bool = True,
    random_erasing: float = 0.0,
    seed: int | None = None,
) -> keras.Sequential:
    """Random geometric augmentation of a batch of images, active only in training.

    Parameters
    ----------
    rotation_degrees : float
        Largest rotation either way, in degrees.
    shift : float
        Largest shift either way, as a fraction of the image's width and height.
    shear : float
        Largest shear either way along each axis, as a fraction of the image side
        (Keras's ``RandomShear`` factor; it draws one sign per image for both axes).
    zoom : float
        Largest zoom in or out, as a fraction of the image side.
    horizontal_flip : bool
        Mirror half of the images left to right.
    random_erasing : float
        Probability that a random rectangle of an image (2 to 33 % of its area) is
        replaced by noise (Zhong et al. 2020); 0 never erases.
    seed : int or None
        Seed of the random transforms. Each transform draws from its own stream
        (seeds ``seed``, ``seed + 1``, ...), so that they vary independently.

    Returns
    -------
    keras.Sequential
        Maps float ``(batch, height, width, channels)`` to the same shape.
    """
    fill = {"fill_mode": "nearest", "interpolation": "bilinear"}
    # Layers given the same seed draw the same numbers: with one seed for all, a
    # flipped image would always be rotated the same way.
    seeds = (None,) * 6 if seed is None else tuple(range(seed, seed + 6))
    steps: list[layers.Layer] = []
    if horizontal_flip:
        steps.append(layers.RandomFlip("horizontal", seed=seeds[0], name="flip"))
    if rotation_degrees:
        steps.append(
            layers.RandomRotation(rotation_degrees / 360.0, seed=seeds[1], name="rotation", **fill)
        )
    if shift:
        steps.append(layers.RandomTranslation(shift, shift, seed=seeds[2], name="shift", **fill))
    if shear:
        # A (0, shear) range: Keras draws the sign itself, and a float would be
        # saved as (-shear, shear), which RandomShear refuses when it is loaded.
        steps.append(
            layers.RandomShear((0.0, shear), (0.0, shear), seed=seeds[3], name="shear", **fill)
        )
    if zoom:
        steps.append(layers.RandomZoom(zoom, zoom, seed=seeds[4], name="zoom", **fill))
    if random_erasing:
        steps.append(
            layers.RandomErasing(
                (random_erasing, random_erasing),
                value_range=(0.0, 1.0),
                seed=seeds[5],
                name="erasing",
            )
        )
    return keras.Sequential(steps, name="augmentation")


#: Keras's random affine layers: they mark themselves ``supports_jit = False``.
_AFFINE_LAYERS = (
    layers.RandomRotation,
    layers.RandomTranslation,
    layers.RandomShear,
    layers.RandomZoom,
)


def allow_jit(model: keras.Model) -> None:
    """Let the JAX backend compile a model that holds augmentation layers.

    Keras's random rotation, translation, shear and zoom layers set
    ``supports_jit = False`` (TensorFlow's XLA lacks their image transform), and a
    model holding one then trains op by op. Their JAX implementation compiles;
    compiled, an epoch on a GPU takes seconds rather than minutes. The flag is not
    saved, so this is called again on a model loaded from a checkpoint. Other
    backends keep Keras's choice.
    """
    if keras.backend.backend() != "jax":
        return
    for layer in nested_layers(model):
        if isinstance(layer, _AFFINE_LAYERS):
            layer.supports_jit = True
    model.jit_compile = True
