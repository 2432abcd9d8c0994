"""What happens around the fit: the learning-rate schedule and the per-epoch recorder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import keras

from .. import files
from ..runs import CNN_MODEL, HISTORY, read_history
from .config import CNNConfig
from .run_dir import CHECKPOINT, STATE, save_model_atomic, write_history


def learning_rate_schedule(config: CNNConfig, steps_per_epoch: int) -> Any:
    """Adam's learning rate for ``config.lr_schedule``: a Keras schedule or a float.

    ``cosine`` decays to ``config.min_learning_rate`` at the last epoch, after a linear
    warm-up of ``config.warmup_epochs``; ``plateau`` and ``constant`` start from
    ``config.learning_rate`` (the plateau reduction is :class:`EpochRecorder`'s).
    """
    if config.lr_schedule == "cosine":
        alpha = config.min_learning_rate / config.learning_rate
        decay_steps = (config.epochs - config.warmup_epochs) * steps_per_epoch
        if config.warmup_epochs:
            return keras.optimizers.schedules.CosineDecay(
                initial_learning_rate=0.0,
                decay_steps=decay_steps,
                alpha=alpha,
                warmup_target=config.learning_rate,
                warmup_steps=config.warmup_epochs * steps_per_epoch,
            )
        return keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=config.learning_rate, decay_steps=decay_steps, alpha=alpha
        )
    return config.learning_rate


class EpochRecorder(keras.callbacks.Callback):
    """Per epoch: timing, the plateau schedule, checkpoints, history, early stopping.

    Parameters
    ----------
    run_dir : Path
        The run directory (:mod:`.run_dir`) to write to.
    config : CNNConfig
        The run's settings.
    state : dict
        The training state to go on from (:func:`.run_dir.read_state`); the
        recorder's own copy, ``self.state``, is updated and written each epoch.
    net_name : str
        The layer of the training model saved as ``model.keras`` on a new best
        validation accuracy.
    time_limit : float or None
        Seconds after which to stop, at the end of the epoch that would overrun it.
    verbose : bool
        Print one line per epoch.
    """

    def __init__(
        self,
        run_dir: Path,
        config: CNNConfig,
        state: dict[str, Any],
        *,
        net_name: str,
        time_limit: float | None,
        verbose: bool,
    ) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.config = config
        self.state = dict(state)
        self.net_name = net_name
        self.time_limit = time_limit
        self.verbose = verbose
        self.history = read_history(run_dir / HISTORY, state["epoch"])
        self._session_start = 0.0
        self._epoch_start = 0.0
        self._session_epochs = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # One fit per epoch: the session starts with the first.
        if not self._session_epochs:
            self._session_start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        now = time.perf_counter()
        seconds = now - self._epoch_start
        self._session_epochs += 1
        done = epoch + 1
        state, config = self.state, self.config
        lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        val_accuracy = float(logs["val_accuracy"])
        improved = val_accuracy > state["best_val_accuracy"]
        save_model_atomic(self.model, self.run_dir / CHECKPOINT)
        if improved:
            state["best_val_accuracy"], state["best_epoch"] = val_accuracy, done
            save_model_atomic(self.model.get_layer(self.net_name), self.run_dir / CNN_MODEL)
        self.history.append(
            {
                "epoch": done,
                "loss": float(logs["loss"]),
                "accuracy": float(logs["accuracy"]),
                "val_loss": float(logs["val_loss"]),
                "val_accuracy": val_accuracy,
                "learning_rate": lr,
                "seconds": round(seconds, 3),
            }
        )
        write_history(self.run_dir / HISTORY, self.history)
        if config.lr_schedule == "plateau":
            self._plateau(float(logs["val_loss"]), lr)
        state["epoch"] = done
        if done >= config.epochs:
            state["finished"], state["stop_reason"] = True, f"reached {config.epochs} epochs"
        elif (
            config.early_stopping_patience
            and done - state["best_epoch"] >= config.early_stopping_patience
        ):
            state["finished"] = True
            state["stop_reason"] = (
                f"early stopping: no better validation accuracy for "
                f"{config.early_stopping_patience} epochs"
            )
            self.model.stop_training = True
        elif self.time_limit is not None:
            elapsed = now - self._session_start
            if elapsed + elapsed / self._session_epochs > self.time_limit:
                state["stop_reason"] = f"time limit of {self.time_limit:.0f} s"
                self.model.stop_training = True
        files.write_json_atomic(self.run_dir / STATE, state)
        if self.verbose:
            row = self.history[-1]
            print(
                f"epoch {done:>4d}/{config.epochs}  loss {row['loss']:.4f}  "
                f"acc {row['accuracy']:.4f}  val_loss {row['val_loss']:.4f}  "
                f"val_acc {val_accuracy:.4f}  lr {lr:.2e}  {seconds:6.1f} s"
                + ("  best" if improved else ""),
                flush=True,
            )
            if state["stop_reason"]:
                print(f"stopped: {state['stop_reason']}", flush=True)

    def _plateau(self, val_loss: float, lr: float) -> None:
        state, config = self.state, self.config
        best = state["plateau_best_loss"]
        if best is None or val_loss < best - 1e-4:
            state["plateau_best_loss"], state["plateau_wait"] = val_loss, 0
            return
        state["plateau_wait"] += 1
        if state["plateau_wait"] >= config.reduce_lr_patience:
            new_lr = max(lr * config.reduce_lr_factor, config.min_learning_rate)
            if new_lr < lr:
                self.model.optimizer.learning_rate = new_lr
            state["plateau_wait"] = 0
