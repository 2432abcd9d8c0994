"""The CNN architectures ``train-cnn --arch`` chooses from, by name.

Each :class:`Architecture` names a builder function (one function builds one
uncompiled model from input shape and number of classes, as the Keras
applications do), the :class:`~.config.CNNConfig` fields it takes, and the recipe
it is trained with by default. :func:`build_network` builds the network a
configuration describes; everything else (training, checkpoints, export,
inference) works on any registered architecture unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

    from .config import CNNConfig


@dataclass(frozen=True)
class Architecture:
    """A registered CNN architecture.

    Parameters
    ----------
    name : str
        What ``--arch`` and ``CNNConfig.arch`` call it; also the name of the
        network inside a training checkpoint.
    version : str
        Stored in ``config.json`` as ``architecture``; a checkpoint of another
        version is refused.
    builder : str
        ``module:function`` of the builder, imported when first used (so that
        importing this module does not import Keras). It is called as
        ``builder(input_shape, num_classes, name=..., **options)``.
    options : tuple of str
        The ``CNNConfig`` fields passed on to the builder as keyword arguments.
    recipe : mapping
        ``CNNConfig`` fields that differ from its defaults when training this
        architecture (:meth:`CNNConfig.for_architecture`).
    summary : str
        One line for ``--help`` and reports.
    dense_softmax_head : bool
        The network's output is a dense softmax layer, whose bias
        ``CNNConfig.logit_adjustment`` corrects.
    """

    name: str
    version: str
    builder: str
    options: tuple[str, ...] = ()
    recipe: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""
    dense_softmax_head: bool = True

    def build(self, config: CNNConfig, num_classes: int, name: str | None = None) -> keras.Model:
        """The uncompiled network of ``config`` (input ``(48, 48, config.channels)``).

        Where ``config.input_size`` is not 48, the network is the builder's model
        for that size behind a bilinear resizing of its 48x48 input.
        """
        from importlib import import_module

        import keras

        from .preprocess import IMAGE_SIZE

        module, function = self.builder.split(":")
        build: Callable[..., keras.Model] = getattr(import_module(module, __package__), function)
        options = {key: getattr(config, key) for key in self.options}
        name = name or self.name
        size = config.input_size
        if size == IMAGE_SIZE:
            return build(
                (IMAGE_SIZE, IMAGE_SIZE, config.channels), num_classes, name=name, **options
            )
        inner = build((size, size, config.channels), num_classes, name=f"{name}_{size}", **options)
        inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, config.channels), name="face")
        resized = keras.layers.Resizing(size, size, interpolation="bilinear", name="resize")(inputs)
        return keras.Model(inputs, inner(resized), name=name)


ARCHITECTURES: dict[str, Architecture] = {}


def check_builder_arguments(input_shape: tuple[int, ...], num_classes: int, dropout: float) -> None:
    """The checks every builder makes of its common arguments; ValueError naming the bad one."""
    if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
        raise ValueError(f"input_shape must be (height, width, 1 or 3), got {input_shape}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")


def register_architecture(architecture: Architecture) -> Architecture:
    """Make ``architecture`` available by its name; return it.

    Raises
    ------
    ValueError
        Another architecture has that name.
    """
    if architecture.name in ARCHITECTURES:
        raise ValueError(f"an architecture named {architecture.name!r} is registered already")
    ARCHITECTURES[architecture.name] = architecture
    return architecture


def get_architecture(name: str) -> Architecture:
    """The registered architecture called ``name``.

    Raises
    ------
    ValueError
        No architecture has that name; the message lists those that exist.
    """
    try:
        return ARCHITECTURES[name]
    except KeyError:
        known = ", ".join(sorted(ARCHITECTURES))
        raise ValueError(f"unknown architecture {name!r}; known: {known}") from None


def build_network(config: CNNConfig, num_classes: int = 7, name: str | None = None) -> keras.Model:
    """The uncompiled network that ``config`` describes."""
    return get_architecture(config.arch).build(config, num_classes, name)


register_architecture(
    Architecture(
        name="squeezenet",
        version="squeezenet-fer-v1",
        builder=".squeezenet:build_squeezenet",
        options=("dropout", "dropout_placement", "squeeze_order"),
        summary="the thesis's customized SqueezeNet (1.33 M parameters, 155 M multiply-adds)",
        dense_softmax_head=False,
    )
)
register_architecture(
    Architecture(
        name="compact",
        version="compact-fer-v1",
        builder=".compact:build_compact",
        options=("dropout",),
        recipe={
            "channels": 1,
            "dropout": 0.1,
            "epochs": 100,
            "batch_size": 64,
            "learning_rate": 1e-3,
            "warmup_epochs": 2,
            "label_smoothing": 0.1,
            "class_weights": False,
            "logit_adjustment": True,
        },
        summary="separable residual CNN for grey faces (73 k parameters, 8.1 M multiply-adds)",
    )
)

#: The recipe of the ImageNet backbones: a 96x96 face, a short schedule, the compact
#: CNN's regularisation.
_BACKBONE_RECIPE = {
    "channels": 1,
    "input_size": 96,
    "dropout": 0.2,
    "epochs": 30,
    "batch_size": 64,
    "learning_rate": 1e-3,
    "warmup_epochs": 2,
    "label_smoothing": 0.1,
    "class_weights": False,
    "rotation_degrees": 10.0,
    "shear": 0.0,
    "logit_adjustment": True,
}
for _name, _version, _title, _sizes in (
    ("mobilenet", "mobilenet-v1-keras", "MobileNet", "3.24 M parameters, 104 M multiply-adds"),
    ("resnet50", "resnet50-keras", "ResNet-50", "23.60 M parameters, 708 M multiply-adds"),
):
    register_architecture(
        Architecture(
            name=_name,
            version=_version,
            builder=f".backbones:build_{_name}",
            options=("dropout", "weights", "trainable_layers"),
            recipe=_BACKBONE_RECIPE,
            summary=f"Keras's {_title} on the face at 96x96 ({_sizes}); --weights imagenet",
        )
    )
