"""The settings of a CNN training run, as stored in its ``config.json``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: Learning-rate schedules :func:`fer_classic.cnn.train_cnn` knows.
LR_SCHEDULES = ("cosine", "plateau", "constant")

#: Where a fire module's dropout goes: behind each of its three convolutions, or
#: once on its output (the concatenated expand convolutions).
DROPOUT_PLACEMENTS = ("every_conv", "output")

#: Order of the squeeze convolution's ReLU and batch normalization.
SQUEEZE_ORDERS = ("relu_bn", "bn_relu")

#: Names the architecture in ``config.json``; a checkpoint of another one is refused.
ARCHITECTURE = "squeezenet-fer-v1"


@dataclass(frozen=True)
class CNNConfig:
    """What a CNN training run does; defaults are those of the packaged model.

    Parameters
    ----------
    channels : {1, 3}
        Input channels: 3 duplicates the grey channel as the thesis does.
    dropout : float
        Dropout rate in the fire modules (thesis: 0.2).
    dropout_placement, squeeze_order : str
        See :func:`fer_classic.cnn.squeezenet.fire_module`.
    epochs : int
        Epochs to train, counting epochs done before a resume.
    batch_size : int
        Images per step (thesis: 256).
    learning_rate : float
        Adam's (initial) learning rate.
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
        Random rotation, shift, shear, zoom and flip of the training images.
    class_weights : bool
        Weight the loss by ``compute_class_weight("balanced")`` of the training labels.
    seed : int
        Seed of the weights' initialisation, the shuffling and the augmentation.
    """

    channels: int = 3
    dropout: float = 0.2
    dropout_placement: str = "every_conv"
    squeeze_order: str = "relu_bn"
    epochs: int = 150
    batch_size: int = 256
    learning_rate: float = 1e-3
    lr_schedule: str = "cosine"
    warmup_epochs: int = 0
    reduce_lr_factor: float = 0.5
    reduce_lr_patience: int = 8
    min_learning_rate: float = 1e-5
    early_stopping_patience: int = 0
    augment: bool = True
    class_weights: bool = True
    seed: int = 0

    def validate(self) -> CNNConfig:
        """Return self after checking every value; raise ValueError naming the bad one."""
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        if self.dropout_placement not in ("every_conv", "output"):
            raise ValueError(
                f"dropout_placement must be every_conv or output, got {self.dropout_placement!r}"
            )
        if self.squeeze_order not in ("relu_bn", "bn_relu"):
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
        if not 0 <= self.warmup_epochs < self.epochs:
            raise ValueError(f"warmup_epochs must be in [0, epochs), got {self.warmup_epochs}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict."""
        return asdict(self)
