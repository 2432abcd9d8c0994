"""Reading run directories for a comparison: complete, readable, on which test split.

A run directory is laid out as :mod:`fer_classic.runs` documents. The comparison
needs, of each run: ``manifest.json`` (kind and data), ``metrics.json`` (the run
finished), the model file of its kind and ``test_predictions.csv`` (read by
:func:`fer_classic.runs.read_predictions`). Anything missing or unreadable is a
:class:`~fer_classic.errors.RunError` naming the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import files, runs
from ..data import CLASS_NAMES
from ..errors import FerClassicError, RunError
from ..runs import TestPredictions

#: Shown in every output of a comparison made from synthetic-data runs.
SYNTHETIC_WARNING = (
    "SYNTHETIC DATA: these runs were trained and scored on the built-in synthetic data "
    "set (drawn cartoon faces); their figures mean nothing about real faces."
)


@dataclass(frozen=True)
class Run:
    """A complete run directory, read and checked."""

    path: Path
    kind: str
    manifest: dict[str, Any]
    config: dict[str, Any]
    metrics: dict[str, Any]
    predictions: TestPredictions

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def data(self) -> dict[str, Any]:
        """The manifest's description of the data set (``FERDataset.describe()``)."""
        return self.manifest["data"]

    @property
    def is_synthetic(self) -> bool:
        return bool(self.data.get("synthetic", False))

    @property
    def test_fingerprint(self) -> str:
        return str(self.data["test_fingerprint"])

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.data.get("class_names") or CLASS_NAMES)

    @property
    def model_path(self) -> Path:
        return runs.model_file(self.path, self.kind)

    @property
    def seed(self) -> int | None:
        """The run's ``--seed``."""
        seed = self.manifest.get("seed", self.config.get("seed"))
        return None if seed is None else int(seed)

    @property
    def recipe(self) -> str:
        """What the run did apart from its seed, as a short key: its kind, its settings
        (``config.json`` without the seed and the data fingerprint it depends on) and
        its data set (source, format, split strategy, labels, classes)."""
        settings = {k: v for k, v in self.config.items() if k not in ("seed", "data")}
        data = {k: self.data.get(k) for k in ("source", "format", "split", "labels", "class_names")}
        text = json.dumps({"kind": self.kind, "settings": settings, "data": data}, sort_keys=True)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    @property
    def test_split_label(self) -> str:
        """The test split in words: its source name and size (``PrivateTest, 3589 images``)."""
        name = (self.data.get("split_names") or {}).get("test", "test")
        return f"{name}, {len(self.predictions)} images"


def read_run(path: str | Path) -> Run:
    """Read one run directory; raise :class:`RunError` if it is not complete and readable."""
    path = Path(path)
    if not path.exists():
        raise RunError(f"{path}: no such run directory")
    if not path.is_dir():
        raise RunError(f"{path}: not a run directory (expected a folder holding manifest.json)")
    if not (path / runs.MANIFEST).exists():
        raise RunError(f"{path}: not a run directory: it has no {runs.MANIFEST}")
    manifest = files.read_json(path / runs.MANIFEST)
    kind = _check_manifest(path, manifest)
    if not (path / runs.METRICS).exists():
        raise RunError(
            f"{path}: incomplete run: no {runs.METRICS} (the run did not finish; "
            "resume it or leave it out of the comparison)"
        )
    metrics = files.read_json(path / runs.METRICS)
    config = files.read_json(path / runs.CONFIG) if (path / runs.CONFIG).exists() else {}
    if not runs.model_file(path, kind).exists():
        raise RunError(f"{path}: incomplete run: no {runs.MODEL_FILES[kind]}")
    if not (path / runs.PREDICTIONS).exists():
        raise RunError(f"{path}: incomplete run: no {runs.PREDICTIONS}")
    class_names = tuple(manifest["data"].get("class_names") or CLASS_NAMES)
    predictions = runs.read_predictions(path / runs.PREDICTIONS, class_names)
    expected = (manifest["data"].get("counts") or {}).get("test")
    if expected is not None and expected != len(predictions):
        raise RunError(
            f"{path / runs.PREDICTIONS}: {len(predictions)} rows, but the manifest's test "
            f"split has {expected} images (partial or foreign file)"
        )
    return Run(path, kind, manifest, config, metrics, predictions)


def _check_manifest(path: Path, manifest: Any) -> str:
    where = path / runs.MANIFEST
    if not isinstance(manifest, dict):
        raise RunError(f"{where}: expected a JSON object")
    kind = manifest.get("kind")
    if kind not in runs.MODEL_FILES:
        raise RunError(
            f"{where}: unknown run kind {kind!r}; the comparison reads "
            f"{' and '.join(runs.MODEL_FILES)} runs"
        )
    data = manifest.get("data")
    if not isinstance(data, dict) or not data.get("test_fingerprint"):
        raise RunError(f"{where}: no data.test_fingerprint: cannot tell which test split it used")
    return kind


def read_runs(paths: Sequence[str | Path]) -> tuple[list[Run], list[str]]:
    """Read every run directory; returns the runs and warnings (duplicates dropped)."""
    if not paths:
        raise FerClassicError("no runs to compare: name at least one run directory")
    seen: dict[Path, Path] = {}
    result, warnings = [], []
    for path in paths:
        resolved = Path(path).resolve()
        if resolved in seen:
            warnings.append(f"{path}: named twice; compared once")
            continue
        seen[resolved] = Path(path)
        result.append(read_run(path))
    return result, warnings


def check_test_splits(runs_: Sequence[Run], *, allow_mixed: bool) -> list[str]:
    """Check that the runs can be compared; returns notices every output must show.

    Runs with other class names cannot be compared at all. Runs scored on different
    test splits (their manifests' ``data.test_fingerprint`` differ) raise
    :class:`RunError` unless ``allow_mixed``; then a notice says which run used which.
    Runs on the synthetic data set give the synthetic notice.
    """
    notices = []
    names = {run.class_names for run in runs_}
    if len(names) > 1:
        listing = "; ".join(f"{run.path}: {', '.join(run.class_names)}" for run in runs_)
        raise RunError(f"the runs have different classes and cannot be compared ({listing})")
    groups: dict[str, list[Run]] = {}
    for run in runs_:
        groups.setdefault(run.test_fingerprint, []).append(run)
    if len(groups) > 1:
        listing = "; ".join(
            f"test split {fp[:12]} ({group[0].data.get('source', '?')}, "
            f"{group[0].test_split_label}): {', '.join(str(r.path) for r in group)}"
            for fp, group in groups.items()
        )
        if not allow_mixed:
            raise RunError(
                f"the runs were scored on different test splits, so their accuracies are not "
                f"comparable: {listing}; pass --allow-mixed to compare them anyway"
            )
        notices.append(
            "MIXED TEST SPLITS: the runs were scored on different test images; accuracies "
            f"of different splits are not comparable. {listing}"
        )
    synthetic = [run for run in runs_ if run.is_synthetic]
    if len(synthetic) == len(runs_):
        notices.append(SYNTHETIC_WARNING)
    elif synthetic:
        names = ", ".join(str(run.path) for run in synthetic)
        notices.append(f"{SYNTHETIC_WARNING} (runs on synthetic data: {names})")
    return notices
