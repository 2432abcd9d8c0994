"""Split strategies: the source's own split, or a seeded stratified 70/10/20.

``canonical``
    The source's split. FER-2013's CSV: Training / PublicTest / PrivateTest. The
    three-folder layout: ``train`` / ``validation`` (or ``val``) / ``test``. The
    Kaggle two-folder layout (``train``, ``test``), whose ``test`` merges PublicTest
    and PrivateTest: validation is carved from ``train`` by a stratified split of
    ``val_fraction`` (10 % by default) seeded with ``seed``; ``test`` stays test.
``stratified``
    All images pooled, then split 70/10/20 with class proportions kept, by
    :func:`sklearn.model_selection.train_test_split` seeded with ``seed`` (as seed
    002 does): first 20 % test, then 1/8 of the rest validation.
``auto``
    ``canonical`` where the source defines a split, else ``stratified``.

The same source, strategy and seed give the same indices on every machine: the
shuffles come from NumPy's legacy ``RandomState``, whose stream NumPy keeps stable.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from ..errors import DataError
from .dataset import TEST, TRAIN, UNASSIGNED, VAL, FERDataset, RawData, Split

SPLITS = ("auto", "canonical", "stratified")
SPLIT_NAMES = ("train", "val", "test")


def stratified_indices(
    labels: np.ndarray, seed: int, test_size: float = 0.2, val_size: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded stratified train / val / test row indices, each sorted.

    ``val_size`` and ``test_size`` are fractions of the whole.
    """
    rows = np.arange(len(labels))
    rest, test = _stratified_cut(rows, labels, test_size, seed)
    train, val = _stratified_cut(rest, labels[rest], val_size / (1.0 - test_size), seed)
    return np.sort(train), np.sort(val), np.sort(test)


def _stratified_cut(
    rows: np.ndarray, labels: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``fraction`` of ``rows`` off, stratified by class where the counts allow it."""
    try:
        return train_test_split(rows, test_size=fraction, stratify=labels, random_state=seed)
    except ValueError:
        pass  # too few images of some class to stratify: a plain seeded cut
    try:
        return train_test_split(rows, test_size=fraction, random_state=seed)
    except ValueError as exc:
        raise DataError(f"cannot split {len(rows)} images {fraction:.0%}: {exc}") from None


def canonical_indices(
    raw: RawData, seed: int, val_fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The source's own train / val / test rows, carving val from train where it has none."""
    train = np.flatnonzero(raw.usage == TRAIN)
    val = np.flatnonzero(raw.usage == VAL)
    test = np.flatnonzero(raw.usage == TEST)
    if len(train) == 0 or len(test) == 0:
        raise DataError(
            f"{raw.source}: has no train/test split of its own (canonical needs FER-2013's "
            "Usage column or train/ and test/ folders); use --split stratified"
        )
    if len(val) == 0:
        train, val = _stratified_cut(train, raw.labels[train], val_fraction, seed)
        train, val = np.sort(train), np.sort(val)
    return train, val, test


def split_raw(
    raw: RawData, split: str = "auto", seed: int = 0, val_fraction: float = 0.1
) -> FERDataset:
    """Split decoded data by the strategy named ``split``; see the module docstring."""
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    has_own = bool(np.any(raw.usage != UNASSIGNED))
    if split == "auto":
        split = "canonical" if has_own else "stratified"
    if split == "canonical":
        parts = canonical_indices(raw, seed, val_fraction)
        source_names = raw.usage_names
        if not np.any(raw.usage == VAL):
            source_names = (
                f"{raw.usage_names[0]} minus {val_fraction:.0%}",
                f"{val_fraction:.0%} of {raw.usage_names[0]}",
                raw.usage_names[2],
            )
    else:
        parts = stratified_indices(raw.labels, seed)
        source_names = ("70% stratified", "10% stratified", "20% stratified")
    splits = [
        Split(
            name=name,
            images=raw.images[rows],
            labels=raw.labels[rows],
            indices=rows,
            source_name=source_name,
            parent_fingerprint=raw.fingerprint,
            soft_labels=None if raw.soft_labels is None else raw.soft_labels[rows],
        )
        for name, rows, source_name in zip(SPLIT_NAMES, parts, source_names, strict=True)
    ]
    return FERDataset(
        train=splits[0],
        val=splits[1],
        test=splits[2],
        raw=raw,
        split=split,
        seed=seed,
        is_synthetic=raw.format == "synthetic",
    )
