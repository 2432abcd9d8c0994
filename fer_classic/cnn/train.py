"""Training a CNN of any registered architecture into a run directory, resumable at any epoch.

The run directory's files are listed in :mod:`.run_dir`. Each epoch writes
``checkpoint.keras``, then ``model.keras`` when the epoch is the best, then
``history.csv``, then ``checkpoint.json``, each atomically: an interrupted run
resumes (``resume=True``) from the last epoch whose ``checkpoint.json`` was
written, with its weights, optimizer state (moments, step count, learning rate)
and schedule counters. Each epoch's batch order, augmentation and dropout are
drawn from (seed, epoch) (:mod:`.streams`), so that the resumed run trains as
the uninterrupted one would have; an interrupt between the writes of one epoch
makes the resumed run repeat it.

Training runs on any Keras backend; it takes NumPy arrays, so it also runs where
TensorFlow is absent (JAX on a GPU). Export to TensorFlow Lite needs TensorFlow:
where it is missing the run stops before export, and a later ``resume=True``
where TensorFlow is installed scores and exports it without training again.
"""

from __future__ import annotations

import math
import os
import shutil
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import keras
import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from .. import files, runs
from ..data import FERDataset, Split
from ..data.cache import file_fingerprint
from ..errors import FerClassicError, RunError
from ..evaluation import score_predictions
from ..runs import CNN_MODEL, HISTORY, TFLITE_MODELS, read_history
from .architectures import build_network
from .augment import allow_jit, build_augmenter
from .callbacks import EpochRecorder, learning_rate_schedule
from .config import SGD_MOMENTUM, CNNConfig
from .convergence import learning_metrics
from .export import export_tflite, representative_sample
from .logit_adjustment import choose_tau, class_prior, fold_into_classifier, logit_offsets
from .predictor import KerasCNN, TFLiteCNN, load_keras_model
from .preprocess import IMAGE_SIZE, to_model_input
from .run_dir import (
    CHECKPOINT,
    STATE,
    open_run,
    record_init,
    save_model_atomic,
    trained_on,
    training_device,
    unused_gpu_warning,
)
from .streams import EpochBatches, EpochStreams

#: Training images used to calibrate the int8 export.
N_REPRESENTATIVE = 1000


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
    """Train the CNN of ``config.arch`` on ``dataset`` and write a run directory.

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
        Start from the weights of a trained network of the same architecture:
        a CNN run directory (its ``model.keras``) or a ``.keras`` file, e.g. to
        fine-tune it on other data. Recorded in ``config.json`` by the file's
        SHA-256 (a resumed run must name the same weights), and in the manifest
        with the epochs and training time that made them, which ``metrics.json``
        adds to the run's own (``train_seconds_with_init``).
    verbose : bool
        Print one line per epoch and the final scores.

    Returns
    -------
    TrainResult

    Raises
    ------
    RunError
        ``run_dir`` holds another run, or nothing to resume, or a checkpoint of
        another architecture, or another process holds it (:func:`~fer_classic.runs.run_lock`).
    """
    config = (config or CNNConfig()).validate()
    if finish and not resume:
        raise ValueError("finish=True needs resume=True")
    run_dir = Path(run_dir)
    stored = {
        **config.to_dict(),
        "architecture": config.architecture_version,
        "data": dataset.fingerprint,
    }
    init_path = None
    if init_from is not None:
        init_path = _init_weights_path(Path(init_from))
        stored["init_from"] = file_fingerprint(init_path, None)
    if resume and not run_dir.is_dir():
        raise RunError(f"{run_dir}: no such run directory to resume")
    with runs.run_lock(run_dir):
        state = open_run(run_dir, stored, dataset, resume=resume, force=force)
        if init_path is not None:
            record_init(run_dir, init_path, stored["init_from"])
        # Counted on random weights: the same count, and no fetch of pretrained ones.
        n_params = _build_net(replace(config, weights="none"), dataset).count_params()
        device = training_device()
        if verbose:
            _say(
                f"{config.architecture_version}: {n_params:,} parameters; "
                f"{len(dataset.train)} training / {len(dataset.val)} validation images; "
                f"Keras backend {keras.backend.backend()} on {device}"
            )
        warning = unused_gpu_warning(device)
        if warning is not None:
            warnings.warn(warning, stacklevel=2)
        if finish and not state["finished"]:
            if state["epoch"] == 0:
                raise RunError(f"{run_dir}: no epoch has finished yet; nothing to score")
            state["finished"] = True
            state["stop_reason"] = (
                f"finished on request after epoch {state['epoch']} of {config.epochs}"
                + (f" ({state['stop_reason']})" if state["stop_reason"] else "")
            )
            files.write_json_atomic(run_dir / STATE, state)
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
            metrics = _finish(
                run_dir, dataset, config, state, n_params, export=export, verbose=verbose
            )
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


def build_training_model(
    config: CNNConfig, steps_per_epoch: int, num_classes: int = 7
) -> keras.Model:
    """The compiled model :func:`train_cnn` fits: augmentation, then the network.

    The network is the layer named ``config.arch``; the optimizer of
    ``config.optimizer`` with the learning rate of ``config.lr_schedule``,
    categorical cross-entropy with ``config.label_smoothing``, and accuracy.
    """
    net = build_network(config, num_classes)
    inputs = keras.Input(shape=_input_shape(config), name="image")
    x = (
        build_augmenter(**config.augmentation(), seed=config.seed)(inputs)
        if config.augment
        else inputs
    )
    model = keras.Model(inputs, net(x), name=f"{config.arch}_training")
    model.compile(
        optimizer=build_optimizer(config, steps_per_epoch),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    allow_jit(model)
    return model


def build_optimizer(config: CNNConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The optimizer of ``config.optimizer`` with the learning rate of ``config.lr_schedule``."""
    learning_rate = learning_rate_schedule(config, steps_per_epoch)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(
            learning_rate=learning_rate,
            momentum=SGD_MOMENTUM,
            nesterov=True,
            weight_decay=config.weight_decay or None,
        )
    if config.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=config.weight_decay)
    return keras.optimizers.Adam(learning_rate=learning_rate)


def class_weights(labels: np.ndarray, n_classes: int) -> dict[int, float]:
    """``compute_class_weight("balanced")`` of ``labels``; 1.0 for absent classes."""
    present = np.unique(labels)
    weights = compute_class_weight("balanced", classes=present, y=labels)
    result = dict.fromkeys(range(n_classes), 1.0)
    result.update({int(c): float(w) for c, w in zip(present, weights, strict=True)})
    return result


# --- fitting --------------------------------------------------------------------


def training_targets(split: Split, n_classes: int) -> np.ndarray:
    """The training targets, float32 ``(N, n_classes)``: the split's soft labels where
    it has them (FER+'s vote distribution), else its labels one-hot."""
    if split.soft_labels is not None:
        return split.soft_labels.astype(np.float32)
    return keras.utils.to_categorical(split.labels, n_classes).astype(np.float32)


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
    keras.utils.set_random_seed(config.seed)  # the initial weights
    state = {**state, "stop_reason": ""}
    n_classes = len(dataset.class_names)
    x_train = to_model_input(dataset.train.images, config.channels)
    y_train = training_targets(dataset.train, n_classes)
    x_val = to_model_input(dataset.val.images, config.channels)
    y_val = keras.utils.to_categorical(dataset.val.labels, n_classes).astype(np.float32)
    if len(x_val) == 0:
        raise FerClassicError(f"{dataset.raw.source}: no validation images to checkpoint on")
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    if state["epoch"] > 0:
        model = _load_checkpoint(run_dir, config, n_classes)
    else:
        model = build_training_model(config, steps_per_epoch, n_classes)
        if init_path is not None:
            _load_initial_weights(model.get_layer(config.arch), init_path, config, n_classes)
    recorder = EpochRecorder(
        run_dir, config, state, net_name=config.arch, time_limit=time_limit, verbose=verbose
    )
    weights = None
    if config.class_weights:
        per_class = class_weights(dataset.train.labels, n_classes)
        weights = np.array([per_class[c] for c in range(n_classes)], dtype=np.float32)
        weights = weights[dataset.train.labels]
    batches = EpochBatches(x_train, y_train, config.batch_size, config.seed, weights)
    streams = EpochStreams(config.seed, batches)
    for epoch in range(state["epoch"], config.epochs):
        batches.start_epoch(epoch)
        x_epoch, y_epoch, *weight_epoch = batches.epoch_arrays()
        model.fit(
            x_epoch,
            y_epoch,
            sample_weight=weight_epoch[0] if weight_epoch else None,
            batch_size=config.batch_size,
            epochs=epoch + 1,
            initial_epoch=epoch,
            validation_data=(x_val, y_val),
            shuffle=False,  # the batches' own order, drawn from (seed, epoch)
            verbose=0,
            callbacks=[streams, recorder],
        )
        if recorder.state["finished"] or recorder.state["stop_reason"]:
            break
    return recorder.state


def _load_checkpoint(run_dir: Path, config: CNNConfig, n_classes: int) -> keras.Model:
    path = run_dir / CHECKPOINT
    if not path.exists():
        raise RunError(
            f"{run_dir}: no {CHECKPOINT} to resume from; --finish scores the best epoch "
            "so far without training further"
        )
    model = load_keras_model(path, compile=True)
    _network_of(model, path, config, n_classes, "start over with --force or use another --out")
    if getattr(model, "optimizer", None) is None or not model.optimizer.variables:
        raise RunError(f"{path}: holds no optimizer state to resume from")
    allow_jit(model)
    return model


def _init_weights_path(path: Path) -> Path:
    """The ``.keras`` file that ``init_from`` names: itself, or a run's best model."""
    if path.is_dir():
        path = path / CNN_MODEL
    if not path.is_file():
        raise RunError(f"{path}: no such file to take initial weights from")
    return path


def _load_initial_weights(net: keras.Model, path: Path, config: CNNConfig, n_classes: int) -> None:
    """Copy the weights of the network in ``path`` into ``net``."""
    source = _network_of(
        load_keras_model(path), path, config, n_classes, "its weights cannot start this run"
    )
    net.set_weights(source.get_weights())


def _network_of(
    model: keras.Model, path: Path, config: CNNConfig, n_classes: int, remedy: str
) -> keras.Model:
    """The network of ``config`` that ``model`` is or holds (a training checkpoint).

    Raises RunError, ending with ``remedy``, when it holds none of that architecture.
    """
    if model.name == config.arch:
        net = model
    else:
        net = next((layer for layer in model.layers if layer.name == config.arch), None)
    expected = build_network(config, n_classes)
    if net is None or _weight_shapes(net) != _weight_shapes(expected):
        raise RunError(
            f"{path}: holds another architecture than {config.architecture_version} with "
            f"{config.channels} channel(s); {remedy}"
        )
    return net


def _weight_shapes(model: keras.Model) -> list[tuple[str, tuple[int, ...]]]:
    return [(w.path.split("/", 1)[-1], tuple(w.shape)) for w in model.weights]


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
    model_path = run_dir / CNN_MODEL
    net, adjustment = _logit_adjusted_network(run_dir, dataset, config)
    model = KerasCNN(net, source=str(model_path), class_names=dataset.class_names)
    proba = model.predict_proba(test.images)
    runs.write_predictions(
        run_dir / runs.PREDICTIONS, test.indices, test.labels, proba, dataset.class_names
    )
    scores = score_predictions(test.labels, proba, dataset.class_names)
    history = read_history(run_dir / HISTORY, state["epoch"])
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
        "learning": learning_metrics(history),
        "logit_adjustment": adjustment,
        "tflite": None,
    }
    manifest = files.read_json(run_dir / runs.MANIFEST)
    metrics["trained_on"] = trained_on(manifest, state["epoch"])
    lineage = manifest.get("init_from", {}).get("lineage", [])
    if lineage:
        metrics["init_from"] = lineage
        metrics["train_seconds_with_init"] = round(
            metrics["train_seconds"] + sum(entry["train_seconds"] for entry in lineage), 1
        )
    if verbose and adjustment is not None:
        _say(
            f"logit adjustment: tau {adjustment['tau']} (validation macro-F1 "
            f"{adjustment['validation_macro_f1'][str(0.0)]:.4f} at 0, "
            f"{adjustment['validation_macro_f1'][str(adjustment['tau'])]:.4f} at tau)"
        )
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
    files.write_json_atomic(run_dir / runs.METRICS, metrics)
    return metrics


def _logit_adjusted_network(
    run_dir: Path, dataset: FERDataset, config: CNNConfig
) -> tuple[keras.Model, dict[str, Any] | None]:
    """The best epoch's network, logit-adjusted where ``config`` asks, saved as ``model.keras``.

    The unadjusted network is kept as ``model_unadjusted.keras``, so that scoring
    a finished run again starts from it (with or without the adjustment).
    Returns the network and, where adjusted, the chosen ``tau``, each candidate's
    validation macro-F1 and the training prior.
    """
    model_path = run_dir / CNN_MODEL
    unadjusted = run_dir / runs.CNN_UNADJUSTED_MODEL
    if not config.logit_adjustment:
        if unadjusted.exists():
            net = load_keras_model(unadjusted)
            save_model_atomic(net, model_path)
            unadjusted.unlink()
            return net, None
        return load_keras_model(model_path), None
    if not unadjusted.exists():
        with files.atomic_path(unadjusted) as tmp:
            shutil.copyfile(model_path, tmp)
    net = load_keras_model(unadjusted)
    names = dataset.class_names
    prior = class_prior(dataset.train.labels, len(names))
    val_proba = KerasCNN(net, source=str(unadjusted), class_names=names).predict_proba(
        dataset.val.images
    )
    tau, table = choose_tau(val_proba, dataset.val.labels, prior, names)
    fold_into_classifier(net, logit_offsets(prior, tau))
    save_model_atomic(net, model_path)
    return net, {
        "tau": tau,
        "chosen_on": dataset.val.source_name,
        "validation_macro_f1": {str(t): f1 for t, f1 in table.items()},
        "prior": prior.tolist(),
    }


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
        model = load_keras_model(run_dir / CNN_MODEL)
    calibration = representative_sample(dataset.train.images, N_REPRESENTATIVE, seed=0)
    result = {}
    for quantization, name in TFLITE_MODELS.items():
        size = export_tflite(
            model,
            run_dir / name,
            quantization=quantization,
            representative_images=calibration,
        )
        scores = score_predictions(
            dataset.test.labels,
            TFLiteCNN(run_dir / name, dataset.class_names).predict_proba(dataset.test.images),
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


def _build_net(config: CNNConfig, dataset: FERDataset) -> keras.Model:
    return build_network(config, len(dataset.class_names))


def _input_shape(config: CNNConfig) -> tuple[int, int, int]:
    return (IMAGE_SIZE, IMAGE_SIZE, config.channels)


def _say(message: str) -> None:
    print(message, flush=True)
