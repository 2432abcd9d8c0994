"""One entry point for every data form users have: :func:`load_dataset`."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, ParameterError
from ..files import check_writable_dir
from .cache import default_cache_dir, entry_key, file_fingerprint, load_entry, store_entry
from .csv_loader import read_fer_csv
from .dataset import UNASSIGNED, FERDataset, RawData, hash_arrays
from .ferplus import apply_ferplus
from .formats import FER2013_CSV, FOLDERS, detect_format, directory_format
from .labels import CLASS_NAMES, ClassOrder, check_extra_classes, parse_class_order
from .splits import split_raw
from .synthetic import make_synthetic
from .validation import check_images, check_labels

#: Environment variable naming a FER-2013 copy for tests and benchmarks.
FER2013_ENV = "FER2013_PATH"


def load_raw(
    path: str | Path,
    *,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    strict: bool = False,
    extra_classes: str = "drop",
    require_cache: bool = False,
    labels: str | Path | None = None,
    label_scheme: str = "majority",
    class_order: str | ClassOrder | None = None,
) -> RawData:
    """Decode a data set (all images, labels and the source's own split), through the cache.

    See :func:`load_dataset` for the parameters. A cache that cannot be written
    costs a warning, or with ``require_cache`` a :class:`DataError`; with
    ``require_cache`` what was written is read back. The returned
    :attr:`RawData.label_source` records the label options given, so that
    :func:`load_run_data` loads the same labels again.
    """
    path = Path(path)
    kind = detect_format(path)
    check_extra_classes(extra_classes)
    order = parse_class_order(class_order) if isinstance(class_order, str) else class_order
    _check_label_options(kind, labels, label_scheme, order)
    raw = _decode(path, kind, cache_dir, use_cache, strict, extra_classes, require_cache, order)
    source: dict[str, str] = {}
    if order is not None:
        source["class_order"] = str(order)
    if labels is not None:
        raw = apply_ferplus(raw, labels, scheme=label_scheme, extra_classes=extra_classes)
        source.update(labels=str(Path(labels).resolve()), label_scheme=label_scheme)
    return replace(raw, label_source=source or None)


def _check_label_options(kind: str, labels: object, label_scheme: str, class_order: object) -> None:
    """Refuse label options that do not apply to a data set of format ``kind``."""
    if class_order is not None and kind != FOLDERS:
        raise ParameterError(
            "class_order", f"{{name}} applies to numbered image folders, not to {kind} data"
        )
    if labels is not None and kind != FER2013_CSV:
        raise ParameterError(
            "labels", f"{{name}} (FER+ votes) applies to FER-2013's CSV, not to {kind} data"
        )
    if labels is None and label_scheme != "majority":
        raise ParameterError("label_scheme", "{name} applies only with a FER+ label file")


def _decode(
    path: Path,
    kind: str,
    cache_dir: str | Path | None,
    use_cache: bool,
    strict: bool,
    extra_classes: str,
    require_cache: bool,
    order: ClassOrder | None,
) -> RawData:
    """The data set at ``path`` as its own files label it, from the cache or decoded."""
    if cache_dir is not None and use_cache:
        check_writable_dir(cache_dir)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    fmt = None if kind == FER2013_CSV else directory_format(path)
    ordered = {} if order is None else {"class_order": order}
    if fmt is None:
        key = entry_key(file_fingerprint(path, cache if use_cache else None), kind=kind)
    else:
        key = entry_key(
            fmt.fingerprint(path),
            kind=kind,
            extra_classes=extra_classes,
            **{name: str(value) for name, value in ordered.items()},
        )
    if use_cache:
        raw = load_entry(cache, key)
        if raw is not None:
            return raw
    if fmt is None:
        raw = read_fer_csv(path)
    else:
        raw = fmt.read(path, extra_classes=extra_classes, strict=strict, **ordered)
    if use_cache:
        try:
            store_entry(cache, key, raw)
        except OSError as exc:
            message = f"{cache}: the decoded data set could not be cached ({exc.strerror})"
            if require_cache:
                raise DataError(message) from None
            # A cache that cannot be written slows the next load but loses nothing.
            warnings.warn(f"{message}; the next load decodes it again", stacklevel=3)
        if require_cache and load_entry(cache, key) is None:
            raise DataError(f"{cache}: the cached data set cannot be read back")
    return raw


def load_dataset(
    path: str | Path | None = None,
    *,
    split: str = "auto",
    seed: int = 0,
    val_fraction: float = 0.1,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    strict: bool = False,
    extra_classes: str = "drop",
    require_cache: bool = False,
    labels: str | Path | None = None,
    label_scheme: str = "majority",
    class_order: str | ClassOrder | None = None,
) -> FERDataset:
    """Load a data set and split it into train, validation and test.

    Parameters
    ----------
    path : path or None
        ``fer2013.csv`` or ``fer2013.csv.gz`` (Kaggle's ``emotion,pixels,Usage``);
        a folder in Kaggle's ``train/``, ``test/`` layout or with ``validation/``;
        or a ``root/<class>/`` folder (CK+, JAFFE). None: the built-in synthetic
        data set (:func:`fer_classic.data.make_synthetic`).
    split : {"auto", "canonical", "stratified"}
        See :mod:`fer_classic.data.splits`.
    seed : int
        Seed of the stratified split and of validation carved from ``train``.
    val_fraction : float
        Fraction of ``train`` carved out as validation where the source has none.
    cache_dir : path, optional
        Where decoded arrays are cached; default :func:`default_cache_dir`.
    use_cache : bool
        Read and write the cache.
    strict : bool
        Raise on an unreadable image instead of skipping it with a warning.
    extra_classes : {"drop", "keep"}
        Classes outside FER-2013's seven (``contempt``): kept as labels 7, 8...
        or their images dropped.
    require_cache : bool
        Fail (:class:`DataError`) instead of warning when the decoded data set
        cannot be cached, and read the cached copy back to verify it.
    labels : path, optional
        FER+'s ``fer2013new.csv`` beside a FER-2013 CSV: its votes replace
        FER-2013's labels (:func:`fer_classic.data.ferplus.apply_ferplus`).
    label_scheme : {"majority", "distribution"}
        With ``labels``: the majority vote, or also the vote distribution as
        :attr:`Split.soft_labels`.
    class_order : str or ClassOrder, optional
        What numbered class folders mean (:func:`fer_classic.data.labels.parse_class_order`:
        ``fer2013``, ``rafdb``, ``affectnet`` or class names).

    Returns
    -------
    FERDataset
        Images uint8 ``(N, 48, 48)`` and int64 labels in each split.
    """
    if path is None:
        _check_label_options("synthetic", labels, label_scheme, class_order)
        return make_synthetic(split=split, split_seed=seed)
    raw = load_raw(
        path,
        cache_dir=cache_dir,
        use_cache=use_cache,
        strict=strict,
        extra_classes=extra_classes,
        require_cache=require_cache,
        labels=labels,
        label_scheme=label_scheme,
        class_order=class_order,
    )
    return split_raw(raw, split=split, seed=seed, val_fraction=val_fraction)


def find_fer2013() -> Path | None:
    """FER-2013 from ``$FER2013_PATH`` or ``../shared/datasets/fer2013`` beside the checkout."""
    candidates = []
    if os.environ.get(FER2013_ENV):
        candidates.append(Path(os.environ[FER2013_ENV]))
    root = Path(__file__).resolve().parents[2]
    candidates.append(root.parent / "shared" / "datasets" / "fer2013" / "fer2013.csv.gz")
    for candidate in candidates:
        if candidate.is_dir():
            for name in ("fer2013.csv.gz", "fer2013.csv"):
                if (candidate / name).exists():
                    return candidate / name
            return candidate
        if candidate.exists():
            return candidate
    return None


def dataset_from_arrays(
    images: np.ndarray,
    labels: np.ndarray,
    usage: np.ndarray | None = None,
    *,
    split: str = "auto",
    seed: int = 0,
    source: str = "arrays",
    class_names: tuple[str, ...] = CLASS_NAMES,
    val_fraction: float = 0.1,
) -> FERDataset:
    """Build a data set from arrays already in memory.

    Parameters
    ----------
    images : ndarray of uint8, shape (N, 48, 48)
    labels : ndarray of int, shape (N,)
        Indices into ``class_names``.
    usage : ndarray of int, shape (N,), optional
        ``TRAIN``, ``VAL`` or ``TEST`` (:mod:`fer_classic.data.dataset`) per image,
        for ``split="canonical"``.
    split, seed, val_fraction :
        As in :func:`load_dataset`.
    source : str
        What the data set is called in its description.
    class_names : tuple of str

    Returns
    -------
    FERDataset
    """
    images = check_images(images)
    labels = check_labels(labels, len(images), len(class_names))
    usage = (
        np.full(len(labels), UNASSIGNED, dtype=np.int8)
        if usage is None
        else np.asarray(usage, dtype=np.int8)
    )
    raw = RawData(
        images=images,
        labels=labels,
        usage=usage,
        source=source,
        format="arrays",
        fingerprint=hash_arrays(images, labels, usage),
        class_names=tuple(class_names),
    )
    return split_raw(raw, split=split, seed=seed, val_fraction=val_fraction)


#: How manifests written before ``generator`` was recorded name the synthetic set.
_LEGACY_SYNTHETIC_SOURCE = re.compile(r"synthetic\(n_per_class=(\d+), seed=(\d+)\)")


def load_run_data(
    data: Mapping[str, Any],
    *,
    path: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> FERDataset:
    """Load again the data set and split a run's manifest describes.

    Parameters
    ----------
    data : mapping
        ``manifest["data"]`` of a run (:meth:`FERDataset.describe`).
    path : path, optional
        Where the data set is now, if it moved since the run; default its
        recorded ``source`` (a drawn data set is drawn again from ``generator``).
    cache_dir : path, optional

    Returns
    -------
    FERDataset
        Not checked against the recorded fingerprints: each caller checks the
        part it relies on.

    Raises
    ------
    DataError
        The data set is not where the manifest says (and no ``path`` is given).
    """
    split, seed = data.get("split", "auto"), int(data.get("seed", 0))
    if path is None and data.get("format") == "synthetic":
        generator = data.get("generator")
        legacy = _LEGACY_SYNTHETIC_SOURCE.fullmatch(str(data.get("source", "")))
        if generator is None and legacy is not None:
            generator = {"n_per_class": int(legacy.group(1)), "seed": int(legacy.group(2))}
        if generator is None:
            raise DataError("the run's synthetic data set records no generator to draw it again")
        return make_synthetic(**generator, split=split, split_seed=seed)
    where = Path(path if path is not None else str(data.get("source", "")))
    if path is None and data.get("format") == FER2013_CSV and not where.is_absolute():
        # Recorded relative to another working directory: FER-2013 where it is found here.
        if not where.exists():
            where = find_fer2013() or where
    if not str(where) or not where.exists():
        raise DataError(
            f"{where}: the run's data set is not there; pass --data PATH with the data "
            "it was trained on"
        )
    n_classes = len(data.get("class_names") or CLASS_NAMES)
    return load_dataset(
        where,
        split=split,
        seed=seed,
        cache_dir=cache_dir,
        extra_classes="keep" if n_classes > len(CLASS_NAMES) else "drop",
        **(data.get("labels") or {}),
    )
