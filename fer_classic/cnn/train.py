"""Training the customized SqueezeNet into a run directory, resumable at any epoch.

A CNN run directory holds, beside the common files of :mod:`fer_classic.runs`::

    config.json          CNNConfig, the architecture and the data's fingerprint
    manifest.json        kind "cnn"; ``sessions`` lists each start and resume
                         (epoch, Keras backend, platform, command)
    history.csv          one row per epoch: loss, accuracy, val_loss, val_accuracy,
                         learning_rate, seconds
    model.keras          the best epoch by validation accuracy (no augmentation,
                         no optimizer): what predict, evaluate and export use
    checkpoint.keras     the last epoch's training model with its optimizer state
    checkpoint.json      the last epoch done, the best so far, schedule counters
    test_predictions.csv the best model's predictions on the test split
    model_float32.tflite, model_int8.tflite   TensorFlow Lite exports
    metrics.json         test scores of model.keras and of each export (last)

Each epoch writes ``checkpoint.keras``, then ``model.keras`` when the epoch is the
best, then ``history.csv``, then ``checkpoint.json``, each atomically: an
interrupted run resumes (``resume=True``) from the last epoch whose
``checkpoint.json`` was written, with its weights, optimizer state (moments,
step count, learning rate) and schedule counters. The order of the shuffled
batches and the augmentation after a resume differ from an uninterrupted run, and
an interrupt between the writes of one epoch makes the resumed run repeat it.

Training runs on any Keras backend; it takes NumPy arrays, so it also runs where
TensorFlow is absent (JAX on a GPU). Export to TensorFlow Lite needs TensorFlow:
where it is missing the run stops before export, and a later ``resume=True``
where TensorFlow is installed scores and exports it without training again.
"""

from __future__ import annotations

import csv
import io
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from .. import runs
from ..data import FERDataset
from ..data.cache import file_fingerprint
from ..errors import FerClassicError, RunError
from .augment import allow_jit, build_augmenter
from .config import ARCHITECTURE, CNNConfig
from .evaluate import score_predictions, write_predictions
from .export import export_tflite, representative_sample
from .predictor import MODEL_FILE, TFLITE_FILES, KerasCNN, TFLiteCNN, load_keras_model
from .preprocess import IMAGE_SIZE, to_model_input
from .squeezenet import build_squeezenet

CHECKPOINT = "checkpoint.keras"
STATE = "checkpoint.json"
HISTORY = "history.csv"
HISTORY_COLUMNS = (
    "epoch",
    "loss",
    "accuracy",
    "val_loss",
    "val_accuracy",
    "learning_rate",
    "seconds",
)

#: Training images used to calibrate the int8 export.
N_REPRESENTATIVE = 1000

_NET_NAME = "squeezenet"
_RUN_FILES = (
    runs.CONFIG,
    runs.MANIFEST,
    runs.METRICS,
    runs.PREDICTIONS,
    HISTORY,
    MODEL_FILE,
    CHECKPOINT,
    STATE,
    *TFLITE_FILES.values(),
)


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train_cnn` did.

    ``finished`` is False when a time limit stopped training before its last epoch
    (resume the run to go on); ``metrics`` is ``metrics.json``'s content, None
    until training has finished.
    """

    run_dir: Path
    epochs_done: int
    best_epoch: int
    best_val_accuracy: float
    finished: bool
    stop_reason: str
    n_params: int
    metrics: dict[str, Any] | None


def train_cnn(
    dataset: FERDataset,
    run_dir: str | os.PathLike[str],
    config: CNNConfig | None = None,
    *,
    resume: bool = False,
    force: bool = False,
    export: bool = True,
    time_limit: float | None = None,
    finish: bool = False,
    init_from: str | os.PathLike[str] | None = None,
    verbose: bool = True,
) -> TrainResult:
    """Train the customized SqueezeNet on ``dataset`` and write a run directory.

    Parameters
    ----------
    dataset : FERDataset
        Trained on ``train``, checkpointed on ``val`` accuracy, scored on ``test``.
    run_dir : path-like
        The run directory (created).
    config : CNNConfig, optional
        Settings; default ``CNNConfig()``.
    resume : bool
        Continue the run in ``run_dir`` from its last checkpoint. The config and
        data must be those it was started with.
    force : bool
        Start over in a ``run_dir`` that holds a CNN run, deleting its files.
    export : bool
        After training, export TensorFlow Lite float32 and int8 models and score them.
    time_limit : float, optional
        Seconds after which to stop, at the end of the epoch that would overrun
        it; the run can then be resumed.
    finish : bool
        With ``resume``: train no further; score and export the best epoch so far
        of a run that stopped before its last epoch (e.g. at a time limit).
    init_from : path-like, optional
        Start from the weights of a trained SqueezeNet of the same architecture:
        a CNN run directory (its ``model.keras``) or a ``.keras`` file, e.g. to
        fine-tune it on other data. Recorded in ``config.json`` by the file's
        SHA-256; a resumed run must name the same weights.
    verbose : bool
        Print one line per epoch and the final scores.

    Returns
    -------
    TrainResult

    Raises
    ------
    RunError
        ``run_dir`` holds another run, or nothing to resume, or a checkpoint of
        another architecture.
    """
    config = (config or CNNConfig()).validate()
    if finish and not resume:
        raise ValueError("finish=True needs resume=True")
    run_dir = Path(run_dir)
    stored = {**config.to_dict(), "architecture": ARCHITECTURE, "data": dataset.fingerprint}
    init_path = None
    if init_from is not None:
        init_path = _init_weights_path(Path(init_from))
        stored["init_from"] = file_fingerprint(init_path, None)
    state = _open_run(run_dir, stored, dataset, resume=resume, force=force)
    n_params = _build_net(config).count_params()
    if verbose:
        _say(
            f"{ARCHITECTURE}: {n_params:,} parameters; {len(dataset.train)} training / "
            f"{len(dataset.val)} validation images; Keras backend {keras.backend.backend()}"
        )
    if finish and not state["finished"]:
        if state["epoch"] == 0:
            raise RunError(f"{run_dir}: no epoch has finished yet; nothing to score")
        state["finished"] = True
        state["stop_reason"] = (
            f"finished on request after epoch {state['epoch']} of {config.epochs}"
            + (f" ({state['stop_reason']})" if state["stop_reason"] else "")
        )
        runs.write_json_atomic(run_dir / STATE, state)
    if not state["finished"]:
        state = _fit(
            run_dir,
            dataset,
            config,
            state,
            init_path=init_path,
            time_limit=time_limit,
            verbose=verbose,
        )
    metrics = None
    if state["finished"]:
        metrics = _finish(run_dir, dataset, config, state, n_params, export=export, verbose=verbose)
    return TrainResult(
        run_dir=run_dir,
        epochs_done=state["epoch"],
        best_epoch=state["best_epoch"],
        best_val_accuracy=state["best_val_accuracy"],
        finished=state["finished"],
        stop_reason=state["stop_reason"],
        n_params=n_params,
        metrics=metrics,
    )


def build_training_model(config: CNNConfig, steps_per_epoch: int) -> keras.Model:
    """The compiled model :func:`train_cnn` fits: augmentation, then the SqueezeNet.

    The SqueezeNet is the layer named ``"squeezenet"``; Adam, categorical
    cross-entropy, accuracy, and the learning rate of ``config.lr_schedule``.
    """
    net = _build_net(config, name=_NET_NAME)
    inputs = keras.Input(shape=_input_shape(config), name="image")
    x = build_augmenter(seed=config.seed)(inputs) if config.augment else inputs
    model = keras.Model(inputs, net(x), name="squeezenet_training")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=_learning_rate(config, steps_per_epoch)),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    allow_jit(model)
    return model


def class_weights(labels: np.ndarray, n_classes: int) -> dict[int, float]:
    """``compute_class_weight("balanced")`` of ``labels``; 1.0 for absent classes."""
    present = np.unique(labels)
    weights = compute_class_weight("balanced", classes=present, y=labels)
    result = dict.fromkeys(range(n_classes), 1.0)
    result.update({int(c): float(w) for c, w in zip(present, weights, strict=True)})
    return result


# --- the run directory --------------------------------------------------------


def _open_run(
    run_dir: Path, stored: dict[str, Any], dataset: FERDataset, *, resume: bool, force: bool
) -> dict[str, Any]:
    """Check or create the run directory; return the training state to start from."""
    has_run = (run_dir / runs.CONFIG).exists() or (run_dir / runs.MANIFEST).exists()
    if has_run:
        _check_kind(run_dir)
    session = _session_record()
    if resume:
        if not run_dir.is_dir():
            raise RunError(f"{run_dir}: no such run directory to resume")
        if not has_run:
            raise RunError(f"{run_dir}: nothing to resume (no {runs.CONFIG})")
        runs.check_config(run_dir, stored, force=False)
        state = _read_state(run_dir)
        manifest = runs.read_json(run_dir / runs.MANIFEST)
        manifest["data"] = dataset.describe()
        manifest.setdefault("sessions", []).append({**session, "start_epoch": state["epoch"]})
        runs.write_json_atomic(run_dir / runs.MANIFEST, manifest)
        return state
    if has_run or any((run_dir / name).exists() for name in _RUN_FILES):
        if not force:
            raise RunError(
                f"{run_dir}: already holds a run; pass --resume to continue it "
                "or --force to start over"
            )
        for name in _RUN_FILES:
            (run_dir / name).unlink(missing_ok=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    runs.write_json_atomic(run_dir / runs.CONFIG, stored)
    manifest = runs.make_manifest("cnn", seed=stored["seed"], data=dataset.describe())
    manifest["sessions"] = [{**session, "start_epoch": 0}]
    runs.write_json_atomic(run_dir / runs.MANIFEST, manifest)
    return _new_state()


def _check_kind(run_dir: Path) -> None:
    if (run_dir / runs.MANIFEST).exists():
        kind = runs.read_json(run_dir / runs.MANIFEST).get("kind")
        if kind != "cnn":
            raise RunError(f"{run_dir}: holds a {kind!r} run, not a CNN run; use another --out")


def _new_state() -> dict[str, Any]:
    return {
        "epoch": 0,
        "best_epoch": 0,
        "best_val_accuracy": -1.0,
        "plateau_best_loss": None,
        "plateau_wait": 0,
        "finished": False,
        "stop_reason": "",
    }


def _read_state(run_dir: Path) -> dict[str, Any]:
    if not (run_dir / STATE).exists():
        return _new_state()  # interrupted during its first epoch
    return {**_new_state(), **runs.read_json(run_dir / STATE)}


#: Keras backends other than TensorFlow, recorded with a session where installed.
_BACKEND_PACKAGES = ("jax", "jaxlib", "torch")


def _session_record() -> dict[str, Any]:
    versions = runs.package_versions((*runs.TRACKED_PACKAGES, *_BACKEND_PACKAGES))
    return {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "backend": keras.backend.backend(),
        "platform": platform.platform(),
        "command": sys.argv,
        "versions": versions,
    }


# --- fitting --------------------------------------------------------------------


def _fit(
    run_dir: Path,
    dataset: FERDataset,
    config: CNNConfig,
    state: dict[str, Any],
    *,
    init_path: Path | None,
    time_limit: float | None,
    verbose: bool,
) -> dict[str, Any]:
    keras.utils.set_random_seed(config.seed + state["epoch"])
    state = {**state, "stop_reason": ""}
    n_classes = len(dataset.class_names)
    x_train = to_model_input(dataset.train.images, config.channels)
    y_train = keras.utils.to_categorical(dataset.train.labels, n_classes).astype(np.float32)
    x_val = to_model_input(dataset.val.images, config.channels)
    y_val = keras.utils.to_categorical(dataset.val.labels, n_classes).astype(np.float32)
    if len(x_val) == 0:
        raise FerClassicError(f"{dataset.raw.source}: no validation images to checkpoint on")
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    if state["epoch"] > 0:
        model = _load_checkpoint(run_dir, config)
    else:
        model = build_training_model(config, steps_per_epoch)
        if init_path is not None:
            _load_initial_weights(model.get_layer(_NET_NAME), init_path, config)
    recorder = _EpochRecorder(run_dir, config, state, time_limit=time_limit, verbose=verbose)
    model.fit(
        x_train,
        y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        initial_epoch=state["epoch"],
        validation_data=(x_val, y_val),
        class_weight=class_weights(dataset.train.labels, n_classes)
        if config.class_weights
        else None,
        shuffle=True,
        verbose=0,
        callbacks=[recorder],
    )
    return recorder.state


def _load_checkpoint(run_dir: Path, config: CNNConfig) -> keras.Model:
    path = run_dir / CHECKPOINT
    if not path.exists():
        raise RunError(
            f"{run_dir}: no {CHECKPOINT} to resume from; --finish scores the best epoch "
            "so far without training further"
        )
    model = load_keras_model(path, compile=True)
    _squeezenet_of(model, path, config, "start over with --force or use another --out")
    if getattr(model, "optimizer", None) is None or not model.optimizer.variables:
        raise RunError(f"{path}: holds no optimizer state to resume from")
    allow_jit(model)
    return model


def _init_weights_path(path: Path) -> Path:
    """The ``.keras`` file that ``init_from`` names: itself, or a run's best model."""
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        raise RunError(f"{path}: no such file to take initial weights from")
    return path


def _load_initial_weights(net: keras.Model, path: Path, config: CNNConfig) -> None:
    """Copy the weights of the SqueezeNet in ``path`` into ``net``."""
    source = _squeezenet_of(
        load_keras_model(path), path, config, "its weights cannot start this run"
    )
    net.set_weights(source.get_weights())


def _squeezenet_of(model: keras.Model, path: Path, config: CNNConfig, remedy: str) -> keras.Model:
    """The SqueezeNet of ``config`` that ``model`` is or holds (a training checkpoint).

    Raises RunError, ending with ``remedy``, when it holds none of that architecture.
    """
    if model.name == _NET_NAME:
        net = model
    else:
        net = next((layer for layer in model.layers if layer.name == _NET_NAME), None)
    if net is None or _weight_shapes(net) != _weight_shapes(_build_net(config)):
        raise RunError(
            f"{path}: holds another architecture than {ARCHITECTURE} with "
            f"{config.channels} channel(s); {remedy}"
        )
    return net


def _weight_shapes(model: keras.Model) -> list[tuple[str, tuple[int, ...]]]:
    return [(w.path.split("/", 1)[-1], tuple(w.shape)) for w in model.weights]


class _EpochRecorder(keras.callbacks.Callback):
    """Per epoch: timing, the plateau schedule, checkpoints, history, early stopping."""

    def __init__(
        self,
        run_dir: Path,
        config: CNNConfig,
        state: dict[str, Any],
        *,
        time_limit: float | None,
        verbose: bool,
    ) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.config = config
        self.state = dict(state)
        self.time_limit = time_limit
        self.verbose = verbose
        self.history = _read_history(run_dir / HISTORY, state["epoch"])
        self._session_start = 0.0
        self._epoch_start = 0.0
        self._session_epochs = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
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
        lr = _current_learning_rate(self.model.optimizer)
        val_accuracy = float(logs["val_accuracy"])
        improved = val_accuracy > state["best_val_accuracy"]
        _save_atomic(self.model, self.run_dir / CHECKPOINT)
        if improved:
            state["best_val_accuracy"], state["best_epoch"] = val_accuracy, done
            _save_atomic(self.model.get_layer(_NET_NAME), self.run_dir / MODEL_FILE)
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
        _write_history(self.run_dir / HISTORY, self.history)
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
        runs.write_json_atomic(self.run_dir / STATE, state)
        if self.verbose:
            row = self.history[-1]
            _say(
                f"epoch {done:>4d}/{config.epochs}  loss {row['loss']:.4f}  "
                f"acc {row['accuracy']:.4f}  val_loss {row['val_loss']:.4f}  "
                f"val_acc {val_accuracy:.4f}  lr {lr:.2e}  {seconds:6.1f} s"
                + ("  best" if improved else "")
            )
            if state["stop_reason"]:
                _say(f"stopped: {state['stop_reason']}")

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


def _learning_rate(config: CNNConfig, steps_per_epoch: int) -> Any:
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


def _current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def _save_atomic(model: keras.Model, path: Path) -> None:
    with runs.atomic_path(path) as tmp:
        model.save(tmp)


def _read_history(path: Path, epochs: int) -> list[dict[str, Any]]:
    """The rows of ``history.csv`` up to epoch ``epochs`` (later rows were not committed)."""
    if not path.exists() or epochs == 0:
        return []
    with open(path, newline="", encoding="utf-8") as f:
        rows = [
            {k: (int(v) if k == "epoch" else float(v)) for k, v in row.items()}
            for row in csv.DictReader(f)
        ]
    return [row for row in rows if row["epoch"] <= epochs]


def _write_history(path: Path, rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    runs.write_text_atomic(path, buffer.getvalue())


# --- scoring and export ----------------------------------------------------------


def _finish(
    run_dir: Path,
    dataset: FERDataset,
    config: CNNConfig,
    state: dict[str, Any],
    n_params: int,
    *,
    export: bool,
    verbose: bool,
) -> dict[str, Any] | None:
    """Score the best model on the test split, export it, write ``metrics.json``."""
    test = dataset.test
    model_path = run_dir / MODEL_FILE
    model = KerasCNN(load_keras_model(model_path), source=str(model_path))
    proba = model.predict_proba(test.images)
    write_predictions(
        run_dir / runs.PREDICTIONS, test.indices, test.labels, proba, dataset.class_names
    )
    scores = score_predictions(test.labels, proba, dataset.class_names)
    history = _read_history(run_dir / HISTORY, state["epoch"])
    seconds = [row["seconds"] for row in history]
    metrics: dict[str, Any] = {
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        "test": scores,
        "test_split": test.source_name,
        "n_params": n_params,
        "model_bytes": model_path.stat().st_size,
        "epochs_done": state["epoch"],
        "best_epoch": state["best_epoch"],
        "best_val_accuracy": state["best_val_accuracy"],
        "stop_reason": state["stop_reason"],
        "train_seconds": round(float(np.sum(seconds)), 1),
        "seconds_per_epoch_median": round(float(np.median(seconds)), 2) if seconds else None,
        "tflite": None,
    }
    if verbose:
        _say(
            f"test ({test.source_name}, {len(test)} images): accuracy {scores['accuracy']:.4f}, "
            f"macro-F1 {scores['macro_f1']:.4f} (best epoch {state['best_epoch']})"
        )
    if export:
        try:
            metrics["tflite"] = export_run(run_dir, dataset, model.model, verbose=verbose)
        except FerClassicError as exc:
            if verbose:
                _say(f"not exported: {exc}")
    runs.write_json_atomic(run_dir / runs.METRICS, metrics)
    return metrics


def export_run(
    run_dir: str | os.PathLike[str],
    dataset: FERDataset,
    model: keras.Model | None = None,
    *,
    verbose: bool = False,
) -> dict[str, dict[str, Any]]:
    """Export a run's ``model.keras`` to float32 and int8 TFLite and score each on test.

    Returns, per quantization, the file name, its size in bytes, and the test
    accuracy and macro-F1.
    """
    run_dir = Path(run_dir)
    if model is None:
        model = load_keras_model(run_dir / MODEL_FILE)
    calibration = representative_sample(dataset.train.images, N_REPRESENTATIVE, seed=0)
    result = {}
    for quantization, name in TFLITE_FILES.items():
        size = export_tflite(
            model,
            run_dir / name,
            quantization=quantization,
            representative_images=calibration,
        )
        scores = score_predictions(
            dataset.test.labels,
            TFLiteCNN(run_dir / name).predict_proba(dataset.test.images),
            dataset.class_names,
        )
        result[quantization] = {
            "file": name,
            "bytes": size,
            "accuracy": scores["accuracy"],
            "macro_f1": scores["macro_f1"],
        }
        if verbose:
            _say(
                f"{name}: {size / 2**20:.2f} MiB, test accuracy {scores['accuracy']:.4f}, "
                f"macro-F1 {scores['macro_f1']:.4f}"
            )
    return result


def _build_net(config: CNNConfig, name: str = _NET_NAME) -> keras.Model:
    return build_squeezenet(
        _input_shape(config),
        dropout=config.dropout,
        dropout_placement=config.dropout_placement,
        squeeze_order=config.squeeze_order,
        name=name,
    )


def _input_shape(config: CNNConfig) -> tuple[int, int, int]:
    return (IMAGE_SIZE, IMAGE_SIZE, config.channels)


def _say(message: str) -> None:
    print(message, flush=True)
