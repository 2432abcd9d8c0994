"""The thesis's customized SqueezeNet (seed 001, sections 5.2, 5.3 and 6.3).

SqueezeNet v1.0 (Iandola et al. 2016) with simple bypass, eleven fire modules
instead of eight, batch normalization after each squeeze convolution and dropout
after each convolution of a fire module. What the thesis states, and what this
builder had to choose where it is silent:

- Simple bypass (the module's input added to its output) "if the channels of the
  output and input of the fire module match": fire2, fire4, fire6 and fire8 to
  fire11.
- The original eight fire modules, fire1..fire8, keep SqueezeNet v1.0's sizes
  (squeeze / expand filters 16/64, 16/64, 32/128, 32/128, 48/192, 48/192, 64/256,
  64/256). The three added ones (fire9..fire11) repeat the last size, 64/256: the
  thesis gives no sizes.
- Dropout 0.2 "after each convolutional layer in the fire modules": after the
  squeeze convolution (behind its batch normalization) and after each expand
  convolution. ``dropout_placement="output"`` puts one dropout on the module's
  output instead.
- Batch normalization "after the first convolutional layer in the fire modules":
  behind the squeeze convolution and its ReLU, the order of the thesis's text;
  ``squeeze_order="bn_relu"`` puts it between the convolution and its ReLU.
  (On FER-2013, with the dropout on the module output, in either order, the
  final ReLU died in the first epoch; see ``benchmarks/cnn.md``.)
- Max pooling 3x3 with stride 2 where SqueezeNet has it (after conv1, the third and
  the seventh fire module) and, as the thesis adds, after the ninth. Padding is
  "same" (silent), so that 48 px pool to 24, 12, 6 and 3.
- conv1 (silent) is SqueezeNet v1.0's: 96 filters of 7x7 with ReLU, but with
  stride 1 instead of 2 (``stem_strides``): 48 px then reach 3 px at the last fire
  modules, the 1/16 reduction SqueezeNet applies to its 224 px (224 to 13).
- The end: a 1x1 convolution with one filter per class and ReLU, global average
  pooling, softmax. SqueezeNet's dropout before that convolution is not in the
  thesis and is left out.

With a 48x48x3 input this gives 1,332,615 parameters (5.08 MiB as float32),
3.3 % below the thesis's 1,377,655 (5.26 MiB); no reading of the text that uses
only SqueezeNet's own layer sizes gives the thesis's count exactly.
"""

from __future__ import annotations

import keras
from keras import layers

from .architectures import check_builder_arguments
from .config import DROPOUT_PLACEMENTS, SQUEEZE_ORDERS

#: (squeeze filters, expand filters per branch) of fire1..fire11.
FIRE_SIZES: tuple[tuple[int, int], ...] = (
    (16, 64),
    (16, 64),
    (32, 128),
    (32, 128),
    (48, 192),
    (48, 192),
    (64, 256),
    (64, 256),
    (64, 256),
    (64, 256),
    (64, 256),
)

#: Fire modules (1-based, as the thesis counts) followed by 3x3/2 max pooling.
POOL_AFTER_FIRE: tuple[int, ...] = (3, 7, 9)


def fire_module(
    x: keras.KerasTensor,
    squeeze: int,
    expand: int,
    *,
    dropout: float = 0.2,
    dropout_placement: str = "every_conv",
    squeeze_order: str = "relu_bn",
    bypass: bool = True,
    name: str = "fire",
) -> keras.KerasTensor:
    """One fire module: 1x1 squeeze, then 1x1 and 3x3 expand, concatenated.

    Parameters
    ----------
    x : KerasTensor of shape (batch, height, width, channels)
    squeeze : int
        Filters of the 1x1 squeeze convolution.
    expand : int
        Filters of each expand convolution; the output has ``2 * expand`` channels.
    dropout : float
        Dropout rate; 0 leaves dropout out.
    dropout_placement : {"every_conv", "output"}
        Dropout behind the squeeze and each expand convolution, or once on the
        concatenated output.
    squeeze_order : {"relu_bn", "bn_relu"}
        Batch normalization behind the squeeze convolution's ReLU, or between the
        convolution and its ReLU.
    bypass : bool
        Add the input to the output when their channels match (simple bypass).
    name : str
        Prefix of the module's layer names.

    Returns
    -------
    KerasTensor of shape (batch, height, width, 2 * expand)
    """
    if dropout_placement not in DROPOUT_PLACEMENTS:
        raise ValueError(f"dropout_placement must be one of {DROPOUT_PLACEMENTS}")
    if squeeze_order not in SQUEEZE_ORDERS:
        raise ValueError(f"squeeze_order must be one of {SQUEEZE_ORDERS}")
    every = dropout and dropout_placement == "every_conv"
    if squeeze_order == "relu_bn":
        s = layers.Conv2D(squeeze, 1, activation="relu", name=f"{name}_squeeze")(x)
        s = layers.BatchNormalization(name=f"{name}_squeeze_bn")(s)
    else:
        s = layers.Conv2D(squeeze, 1, name=f"{name}_squeeze")(x)
        s = layers.BatchNormalization(name=f"{name}_squeeze_bn")(s)
        s = layers.ReLU(name=f"{name}_squeeze_relu")(s)
    if every:
        s = layers.Dropout(dropout, name=f"{name}_squeeze_dropout")(s)
    e1 = layers.Conv2D(expand, 1, activation="relu", name=f"{name}_expand1x1")(s)
    e3 = layers.Conv2D(expand, 3, padding="same", activation="relu", name=f"{name}_expand3x3")(s)
    if every:
        e1 = layers.Dropout(dropout, name=f"{name}_expand1x1_dropout")(e1)
        e3 = layers.Dropout(dropout, name=f"{name}_expand3x3_dropout")(e3)
    out = layers.Concatenate(name=f"{name}_concat")([e1, e3])
    if dropout and dropout_placement == "output":
        out = layers.Dropout(dropout, name=f"{name}_dropout")(out)
    if bypass and x.shape[-1] == 2 * expand:
        out = layers.Add(name=f"{name}_bypass")([x, out])
    return out


def build_squeezenet(
    input_shape: tuple[int, int, int] = (48, 48, 3),
    num_classes: int = 7,
    *,
    dropout: float = 0.2,
    dropout_placement: str = "every_conv",
    squeeze_order: str = "relu_bn",
    bypass: bool = True,
    stem_filters: int = 96,
    stem_kernel: int = 7,
    stem_strides: int = 1,
    name: str = "squeezenet",
) -> keras.Model:
    """The customized SqueezeNet of the thesis, uncompiled.

    Parameters
    ----------
    input_shape : (height, width, channels)
        Images scaled to [0, 1]: ``(48, 48, 3)`` (grey duplicated, as the thesis)
        or ``(48, 48, 1)``.
    num_classes : int
        Filters of the final 1x1 convolution and width of the softmax.
    dropout : float
        Dropout rate in the fire modules (thesis: 0.2).
    dropout_placement, squeeze_order : str
        See :func:`fire_module`.
    bypass : bool
        Simple bypass around fire modules whose input and output channels match.
    stem_filters, stem_kernel, stem_strides : int
        The first convolution (SqueezeNet v1.0: 96 filters, 7x7; stride: see the
        module docstring).
    name : str
        Name of the model.

    Returns
    -------
    keras.Model
        Maps float32 ``(batch, *input_shape)`` to class probabilities
        ``(batch, num_classes)``.
    """
    check_builder_arguments(input_shape, num_classes, dropout)
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = layers.Conv2D(
        stem_filters,
        stem_kernel,
        strides=stem_strides,
        padding="same",
        activation="relu",
        name="conv1",
    )(inputs)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    for i, (squeeze, expand) in enumerate(FIRE_SIZES, start=1):
        x = fire_module(
            x,
            squeeze,
            expand,
            dropout=dropout,
            dropout_placement=dropout_placement,
            squeeze_order=squeeze_order,
            bypass=bypass,
            name=f"fire{i}",
        )
        if i in POOL_AFTER_FIRE:
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool_fire{i}")(x)
    x = layers.Conv2D(num_classes, 1, activation="relu", name="conv_final")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Softmax(name="softmax")(x)
    return keras.Model(inputs, outputs, name=name)
