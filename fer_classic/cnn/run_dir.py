"""The files of a CNN run directory and the training state they hold.

A CNN run directory holds, beside the common files of :mod:`fer_classic.runs`::

    config.json          CNNConfig, the architecture and the data's fingerprint
    manifest.json        kind "cnn"; ``sessions`` lists each start and resume
                         (epoch, Keras backend, device, platform, command);
                         ``init_from``: the weights it started from and the
                         training that made them (:func:`init_lineage`)
    history.csv          one row per epoch: loss, accuracy, val_loss, val_accuracy,
                         learning_rate, seconds
    model.keras          the best epoch by validation accuracy (no augmentation,
                         no optimizer), logit-adjusted where the config asks:
                         what predict, evaluate and export use
    model_unadjusted.keras  the best epoch before logit adjustment, where made
    checkpoint.keras     the last epoch's training model with its optimizer state
    checkpoint.json      the last epoch done, the best so far, schedule counters
    test_predictions.csv the best model's predictions on the test split
    model_float32.tflite, model_int8.tflite   TensorFlow Lite exports
    metrics.json         test scores of model.keras and of each export, epochs,
                         training time and device (``trained_on``), the logit
                         adjustment's tau and validation macro-F1; with
                         ``init_from``, the lineage and ``train_seconds_with_init``
                         (written last)

Every file is written atomically.
"""

from __future__ import annotations

import csv
import io
import platform
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras

from .. import files, runs
from ..data import FERDataset
from ..errors import RunError
from ..runs import CNN_MODEL, HISTORY, HISTORY_COLUMNS, TFLITE_MODELS, read_history
from .config import FINISHING_FIELDS, CNNConfig

CHECKPOINT = "checkpoint.keras"
STATE = "checkpoint.json"

_RUN_FILES = (
    runs.CONFIG,
    runs.MANIFEST,
    runs.METRICS,
    runs.PREDICTIONS,
    HISTORY,
    CNN_MODEL,
    runs.CNN_UNADJUSTED_MODEL,
    CHECKPOINT,
    STATE,
    *TFLITE_MODELS.values(),
)

#: Keras backends other than TensorFlow, recorded with a session where installed.
_BACKEND_PACKAGES = ("jax", "jaxlib", "torch")


def open_run(
    run_dir: Path, stored: dict[str, Any], dataset: FERDataset, *, resume: bool, force: bool
) -> dict[str, Any]:
    """Check or create the run directory; return the training state to start from.

    ``stored`` is the ``config.json`` the run has (or gets); each start and resume
    is recorded in the manifest's ``sessions``.
    """
    has_run = (run_dir / runs.CONFIG).exists() or (run_dir / runs.MANIFEST).exists()
    if has_run:
        _check_kind(run_dir)
    session = _session_record()
    if resume:
        if not has_run:
            raise RunError(f"{run_dir}: nothing to resume (no {runs.CONFIG})")
        _upgrade_config(run_dir)
        _update_finishing(run_dir, stored)
        runs.check_config(run_dir, stored, force=False)
        state = read_state(run_dir)
        manifest = files.read_json(run_dir / runs.MANIFEST)
        manifest["data"] = dataset.describe()
        manifest.setdefault("sessions", []).append({**session, "start_epoch": state["epoch"]})
        files.write_json_atomic(run_dir / runs.MANIFEST, manifest)
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
    files.write_json_atomic(run_dir / runs.CONFIG, stored)
    manifest = runs.make_manifest("cnn", seed=stored["seed"], data=dataset.describe())
    manifest["sessions"] = [{**session, "start_epoch": 0}]
    files.write_json_atomic(run_dir / runs.MANIFEST, manifest)
    return new_state()


def _upgrade_config(run_dir: Path) -> None:
    """Give a ``config.json`` the settings added since it was written, at their defaults."""
    path = run_dir / runs.CONFIG
    stored = files.read_json(path)
    upgraded = CNNConfig.upgrade_stored(stored)
    if upgraded != stored:
        files.write_json_atomic(path, upgraded)


def _update_finishing(run_dir: Path, stored: dict[str, Any]) -> None:
    """Give a ``config.json`` the finishing settings of ``stored`` (``FINISHING_FIELDS``)."""
    path = run_dir / runs.CONFIG
    current = files.read_json(path)
    changes = {
        name: stored[name]
        for name in FINISHING_FIELDS
        if name in stored and current.get(name) != stored[name]
    }
    if changes:
        files.write_json_atomic(path, {**current, **changes})


def new_state() -> dict[str, Any]:
    """The training state before the first epoch."""
    return {
        "epoch": 0,
        "best_epoch": 0,
        "best_val_accuracy": -1.0,
        "plateau_best_loss": None,
        "plateau_wait": 0,
        "finished": False,
        "stop_reason": "",
    }


def read_state(run_dir: Path) -> dict[str, Any]:
    """The state in ``checkpoint.json``; the initial one before the first epoch ends."""
    if not (run_dir / STATE).exists():
        return new_state()
    return {**new_state(), **files.read_json(run_dir / STATE)}


def write_history(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` (dicts keyed by :data:`HISTORY_COLUMNS`) as ``history.csv``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files.write_text_atomic(path, buffer.getvalue())


def save_model_atomic(model: keras.Model, path: Path) -> None:
    """``model.save(path)``, replacing ``path`` only once the file is complete."""
    with files.atomic_path(path) as tmp:
        model.save(tmp)


def record_init(run_dir: Path, weights: Path, sha256: str) -> None:
    """Record in the manifest the weights a run started from and their lineage.

    Kept once written: a resumed run names the same weights (``sha256``).
    """
    manifest = files.read_json(run_dir / runs.MANIFEST)
    if manifest.get("init_from", {}).get("sha256") == sha256:
        return
    manifest["init_from"] = {
        "file": str(weights),
        "sha256": sha256,
        "lineage": init_lineage(weights),
    }
    files.write_json_atomic(run_dir / runs.MANIFEST, manifest)


def init_lineage(weights: Path) -> list[dict[str, Any]]:
    """The training that produced ``weights``, oldest run first.

    Where ``weights`` is a CNN run's ``model.keras``, one entry per run it descends
    from (through ``init_from``) and one for that run itself: ``run`` (the
    directory), ``epochs`` (those that produced the weights: up to the best one),
    ``train_seconds`` (their sum) and ``trained_on`` (:func:`trained_on`). Empty
    for a ``.keras`` file outside a run directory.
    """
    run = weights.parent
    if weights.name != CNN_MODEL or not (run / runs.MANIFEST).is_file():
        return []
    manifest = files.read_json(run / runs.MANIFEST)
    if manifest.get("kind") != "cnn":
        return []
    best = read_state(run)["best_epoch"]
    seconds = sum(row["seconds"] for row in read_history(run / HISTORY, best))
    own = {
        "run": str(run),
        "epochs": best,
        "train_seconds": round(seconds, 1),
        "trained_on": trained_on(manifest, best),
    }
    return [*manifest.get("init_from", {}).get("lineage", []), own]


def trained_on(manifest: dict[str, Any], epochs: int) -> list[str] | None:
    """The devices of the sessions that trained a run's first ``epochs`` epochs.

    Sorted, without repeats; None where a session that trained did not record its
    device (runs started before devices were recorded).
    """
    sessions = sorted(manifest.get("sessions", []), key=lambda s: s.get("start_epoch", 0))
    ends = [s.get("start_epoch", 0) for s in sessions[1:]] + [epochs]
    devices = set()
    for session, end in zip(sessions, ends, strict=True):
        if min(end, epochs) <= session.get("start_epoch", 0):
            continue  # trained no epoch that counts (e.g. a session that only exported)
        if "device" not in session:
            return None
        devices.add(session["device"])
    return sorted(devices)


def _check_kind(run_dir: Path) -> None:
    if (run_dir / runs.MANIFEST).exists():
        kind = files.read_json(run_dir / runs.MANIFEST).get("kind")
        if kind != "cnn":
            raise RunError(f"{run_dir}: holds a {kind!r} run, not a CNN run; use another --out")


def _session_record() -> dict[str, Any]:
    versions = runs.package_versions((*runs.TRACKED_PACKAGES, *_BACKEND_PACKAGES))
    return {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "backend": keras.backend.backend(),
        "device": training_device(),
        "platform": platform.platform(),
        "command": sys.argv,
        "versions": versions,
    }


def training_device() -> str:
    """The accelerators Keras's backend trains on, or ``"CPU: <model>"``."""
    backend = keras.backend.backend()
    names: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            names.append(
                tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            )
    elif backend == "jax":
        import jax

        names = [d.device_kind for d in jax.devices() if d.platform != "cpu"]
    elif backend == "torch":
        import torch

        names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    if names:
        return ", ".join(names)
    return f"CPU: {runs.cpu_model()}"


def unused_gpu_warning(device: str) -> str | None:
    """A warning when an NVIDIA GPU is in the machine but ``device`` is the CPU."""
    gpus = Path("/proc/driver/nvidia/gpus")
    present = (gpus.is_dir() and any(gpus.iterdir())) or shutil.which("nvidia-smi") is not None
    if not present or not device.startswith("CPU"):
        return None
    return (
        f"an NVIDIA GPU is present but Keras ({keras.backend.backend()}) trains on the {device}; "
        'install the GPU extra (pip install "fer-classic[gpu]") and set KERAS_BACKEND=jax'
    )
