"""The run directory: the contract between training and reporting.

Every command that fits a model (``grid-search``, ``train-cnn``) writes one run
directory, and every command that reads models (``compare``, ``predict``,
``evaluate``) reads it. Layout::

    runs/<name>/
        config.json          resolved configuration of the run (what was asked for)
        manifest.json        kind ("classical" | "cnn"), package versions, seed,
                             data fingerprint and split, command line, timestamps
        metrics.json         test-split scores of the final model (written last)
        test_predictions.csv one row per test image (:func:`write_predictions`):
                             row, true, pred (class names), p_<class>...
        model.skops          classical: the fitted best pipeline (older runs:
                             model.joblib, a pickle)
        model.keras          cnn: the best checkpoint
        history.csv          cnn: one row per epoch (:func:`read_history`)
        ...                  kind-specific extras (candidates.jsonl,
                             model_float32.tflite, model_int8.tflite, ...)

A command that writes a run directory holds its lock (``.lock``, :func:`run_lock`)
from before its first write to its exit: a second command on the same directory
stops at once, naming the holder. A run is complete when ``metrics.json`` exists.
All files are written atomically by :mod:`fer_classic.files` (temporary file,
then :func:`os.replace`), so an interrupted run never leaves a half-written file
behind; append-only logs (``*.jsonl``) are appended one whole line per record
with a flush and fsync.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import platform
import socket
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RunError
from .files import json_default, read_json, remove_temporary_files, write_text_atomic

CONFIG = "config.json"
MANIFEST = "manifest.json"
METRICS = "metrics.json"
PREDICTIONS = "test_predictions.csv"
#: The advisory lock of a run directory (:func:`run_lock`).
LOCK = ".lock"

#: A classical run's fitted pipeline (``skops.io``; see
#: :mod:`fer_classic.classical.persistence`), and the pickle of older runs.
CLASSICAL_MODEL = "model.skops"
LEGACY_CLASSICAL_MODEL = "model.joblib"
#: A CNN run's best checkpoint, and its TensorFlow Lite exports by quantization.
CNN_MODEL = "model.keras"
#: A CNN run's best checkpoint before logit adjustment, where ``CNN_MODEL`` has it.
CNN_UNADJUSTED_MODEL = "model_unadjusted.keras"
TFLITE_MODELS = {"float32": "model_float32.tflite", "int8": "model_int8.tflite"}
#: The model file of each kind of run.
MODEL_FILES = {"classical": CLASSICAL_MODEL, "cnn": CNN_MODEL}
#: A CNN run's learning curve: one row per epoch, with these columns.
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


def read_history(path: str | os.PathLike[str], epochs: int) -> list[dict[str, Any]]:
    """The rows of a ``history.csv`` up to epoch ``epochs`` (later rows were not committed).

    Returns one dict per epoch keyed by :data:`HISTORY_COLUMNS`: ``epoch`` an int,
    the others floats (losses, accuracies in [0, 1], learning rate, seconds).
    """
    path = Path(path)
    if not path.exists() or epochs == 0:
        return []
    with open(path, newline="", encoding="utf-8") as f:
        rows = [
            {k: (int(v) if k == "epoch" else float(v)) for k, v in row.items()}
            for row in csv.DictReader(f)
        ]
    return [row for row in rows if row["epoch"] <= epochs]


def model_file(run_dir: str | os.PathLike[str], kind: str) -> Path:
    """The model file of a run of ``kind``: the one that exists, legacy names included.

    Returns the current name's path where no model file exists yet.
    """
    run_dir = Path(run_dir)
    if kind == "classical" and not (run_dir / CLASSICAL_MODEL).exists():
        if (run_dir / LEGACY_CLASSICAL_MODEL).exists():
            return run_dir / LEGACY_CLASSICAL_MODEL
    return run_dir / MODEL_FILES[kind]


@dataclass(frozen=True)
class TestPredictions:
    """A run's predictions on its test split, one entry per image, in the split's order.

    Attributes
    ----------
    rows : ndarray of int64, shape (N,), or None
        Each image's row in the source data set (:attr:`fer_classic.data.Split.indices`).
        None for files of the first classical format, which recorded each image's
        position in the test split instead of its row.
    true, pred : ndarray of int64, shape (N,)
        True and predicted classes, as indices into the class names.
    proba : ndarray of float64, shape (N, n_classes), or None
        Class probabilities; None where the model gives none (an SVM without
        probability estimates).
    """

    __test__ = False  # not a test class for pytest, despite its name

    rows: np.ndarray | None
    true: np.ndarray
    pred: np.ndarray
    proba: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.true)


def write_predictions(
    path: str | os.PathLike[str],
    indices: np.ndarray,
    y_true: np.ndarray,
    proba: np.ndarray | None,
    class_names: Sequence[str],
    y_pred: np.ndarray | None = None,
) -> None:
    """Write a run's test predictions (``test_predictions.csv``).

    One line per image: ``row`` (its row in the source data set), ``true`` and
    ``pred`` (class names), then ``p_<class>`` per class where ``proba`` is given.
    :func:`read_predictions` reads it back.

    Parameters
    ----------
    path : path
        The file to write, atomically.
    indices : ndarray of int, shape (N,)
        The images' rows in the source data set (:attr:`fer_classic.data.Split.indices`).
    y_true : ndarray of int, shape (N,)
        True classes, as indices into ``class_names``.
    proba : ndarray of float, shape (N, n_classes), or None
        Class probabilities, written with six decimals; None writes no ``p_`` columns.
    class_names : sequence of str
        Names of the ``n_classes`` classes.
    y_pred : ndarray of int, shape (N,), optional
        The model's decisions; default the arg-max of ``proba``.

    Raises
    ------
    ValueError
        Neither ``proba`` nor ``y_pred`` is given, or the shapes disagree.
    """
    names = list(class_names)
    if proba is not None:
        proba = np.asarray(proba)
        if proba.shape != (len(y_true), len(names)):
            raise ValueError(
                f"proba must have shape ({len(y_true)}, {len(names)}) for {len(y_true)} "
                f"images of {len(names)} classes; got {proba.shape}"
            )
    if y_pred is None:
        if proba is None:
            raise ValueError("give proba, y_pred or both")
        y_pred = proba.argmax(axis=1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["row", "true", "pred"]
    if proba is not None:
        header += [f"p_{name}" for name in names]
    writer.writerow(header)
    for k, (row, t, p) in enumerate(zip(indices, y_true, y_pred, strict=True)):
        line = [int(row), names[int(t)], names[int(p)]]
        if proba is not None:
            line += [f"{v:.6f}" for v in proba[k]]
        writer.writerow(line)
    write_text_atomic(path, out.getvalue())


def read_predictions(path: str | os.PathLike[str], class_names: Sequence[str]) -> TestPredictions:
    """Read a run's test predictions, as :func:`write_predictions` writes them.

    Files of the earlier formats load too. Their first column is ``index``:
    with class indices in ``true`` and ``pred`` (CNN runs) it is the image's row
    in the source data set, read into ``rows``; with class names (classical
    runs) it is the image's position in the test split, and ``rows`` is None,
    so that a position is never taken for a row.

    Parameters
    ----------
    path : path
        A ``test_predictions.csv``.
    class_names : sequence of str
        The run's classes, in the order of its class indices.

    Returns
    -------
    TestPredictions

    Raises
    ------
    RunError
        The file is missing, not a CSV file, lacks a column, names a class that
        is not one of ``class_names``, or has a truncated line; the one-line
        message names the file and the line.
    """
    path = Path(path)
    lookup = {name: i for i, name in enumerate(class_names)}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = list(reader.fieldnames or ())
            key = "index" if "index" in header and "row" not in header else "row"
            missing = [c for c in (key, "true", "pred") if c not in header]
            if missing:
                raise RunError(f"{path}: no column {', '.join(missing)} in the header")
            p_columns = _probability_columns(path, header, class_names)
            lines = list(enumerate(reader, start=2))
    except FileNotFoundError:
        raise RunError(f"{path}: no such file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RunError(f"{path}: not a readable CSV file ({exc})") from None
    if not lines:
        raise RunError(f"{path}: no predictions")
    by_name = key == "row" or lines[0][1]["true"] in lookup
    rows, true, pred, proba = [], [], [], []
    for number, line in lines:
        try:
            if None in line:
                extra = len(line[None])
                raise ValueError(f"{len(header) + extra} fields for {len(header)} columns")
            rows.append(_integer(_field(line, key), key))
            true.append(_class_index(_field(line, "true"), lookup, by_name))
            pred.append(_class_index(_field(line, "pred"), lookup, by_name))
            if p_columns:
                proba.append([float(_field(line, c)) for c in p_columns])
        except ValueError as exc:
            raise RunError(f"{path}: line {number}: {exc}") from None
    return TestPredictions(
        rows=None if key == "index" and by_name else np.asarray(rows, dtype=np.int64),
        true=np.asarray(true, dtype=np.int64),
        pred=np.asarray(pred, dtype=np.int64),
        proba=np.asarray(proba, dtype=np.float64) if p_columns else None,
    )


def _probability_columns(path: Path, header: list[str], class_names: Sequence[str]) -> list[str]:
    """The ``p_<class>`` columns in class order; none when the file has none."""
    given = {c for c in header if c.startswith("p_")}
    if not given:
        return []
    expected = [f"p_{name}" for name in class_names]
    if given != set(expected):
        raise RunError(
            f"{path}: probability columns {', '.join(sorted(given))} do not match "
            f"the classes {', '.join(class_names)}"
        )
    return expected


def _field(line: Mapping[str | None, Any], column: str) -> str:
    value = line.get(column)
    if value is None or value == "":
        raise ValueError(f"empty {column} field (truncated line)")
    return value


def _integer(value: str, column: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not an integer") from None


def _class_index(value: str, lookup: Mapping[str, int], by_name: bool) -> int:
    """A class given by name (``by_name``) or by index, as its index."""
    if by_name:
        if value not in lookup:
            raise ValueError(f"unknown class {value!r}; the classes are {', '.join(lookup)}")
        return lookup[value]
    label = _integer(value, "class")
    if not 0 <= label < len(lookup):
        raise ValueError(f"class {label} is outside 0..{len(lookup) - 1}")
    return label


#: Packages whose versions a run records (see :func:`package_versions`).
TRACKED_PACKAGES = (
    "fer-classic",
    "numpy",
    "scikit-learn",
    "scikit-image",
    "opencv-python-headless",
    "joblib",
    "keras",
    "tensorflow-cpu",
    "tensorflow",
    "dlib-bin",
    "dask",
)


@contextlib.contextmanager
def run_lock(run_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the advisory lock of ``run_dir`` while the block runs; yield the directory.

    The lock is an operating-system lock on ``run_dir/.lock``, which also names
    the holder (process id, host, command, start time). Taking it removes the
    temporary files that interrupted writers left there. It is released on every
    way out of the block, and by the operating system when the process dies; a
    lock file still naming a holder that died is taken over with a warning. A
    directory the block created and left empty is removed again.

    Raises
    ------
    RunError
        Another process holds the lock; the message names it.
    """
    run_dir = Path(run_dir)
    created = not run_dir.exists()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise RunError(f"{run_dir}: cannot be used as a run directory ({exc.strerror})") from None
    try:
        if not _try_lock(fd):
            holder = _lock_holder(fd) or "another process"
            raise RunError(
                f"{run_dir}: in use by {holder}; wait for it to end, or use another --out"
            )
        left = _lock_holder(fd)
        if left:
            warnings.warn(
                f"{run_dir}: taking over the lock of {left}, which ended without releasing it",
                stacklevel=3,
            )
        _write_holder(fd)
        remove_temporary_files(run_dir)
        try:
            yield run_dir
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the operating-system lock
        if created and [p.name for p in run_dir.iterdir()] == [LOCK]:
            (run_dir / LOCK).unlink()
            run_dir.rmdir()


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` without waiting; False if another holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock_holder(fd: int) -> str:
    """Who the lock file names: ``process 123 on host (command, since time)``; "" if none."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        holder = json.loads(os.read(fd, 65536) or b"null")
    except (OSError, ValueError):
        return ""
    if not isinstance(holder, dict):
        return ""
    return (
        f"process {holder.get('pid')} on {holder.get('host')} "
        f"({holder.get('command')}, since {holder.get('since')})"
    )


def _write_holder(fd: int) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python",
        "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(holder).encode())
    os.fsync(fd)


def package_versions(names: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str]:
    """Python's version and those of the installed ones among ``names``.

    The default names the packages that decide a run's results.
    """
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux), or what the platform says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def make_manifest(kind: str, *, seed: int | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of a new run: what made it, on what data, with which software.

    ``data`` is :meth:`fer_classic.data.FERDataset.describe` of the data set used.
    """
    return {
        "kind": kind,
        "seed": seed,
        "data": dict(data),
        "command": sys.argv,
        "versions": package_versions(),
        "platform": platform.platform(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def check_config(run_dir: str | os.PathLike[str], config: Mapping[str, Any], force: bool) -> bool:
    """Compare ``config`` with the one stored in ``run_dir``.

    Returns True when the run directory holds the same configuration (resume),
    False when it is new or empty. Raises :class:`RunError` when it holds another
    configuration and ``force`` is false.
    """
    path = Path(run_dir) / CONFIG
    if not path.exists():
        return False
    stored = read_json(path)
    if stored == json.loads(json.dumps(config, sort_keys=True, default=json_default)):
        return True
    if force:
        return False
    changed = sorted(k for k in set(stored) | set(config) if stored.get(k) != config.get(k))
    raise RunError(
        f"{run_dir}: holds a run of another configuration (differs in: {', '.join(changed)}); "
        "use another --out or pass --force to start over"
    )
