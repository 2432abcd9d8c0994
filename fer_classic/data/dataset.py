"""The data-set objects every stage passes on: decoded images, splits, fingerprints."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .labels import CLASS_NAMES

#: Usage codes of :attr:`RawData.usage`: which split the source assigns an image to.
TRAIN, VAL, TEST, UNASSIGNED = 0, 1, 2, -1


def hash_arrays(*parts: np.ndarray | str) -> str:
    """A short hex digest of arrays' bytes and strings, stable across machines."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        if isinstance(part, str):
            digest.update(part.encode())
        else:
            array = np.ascontiguousarray(part)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.data)
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class RawData:
    """A decoded data set before splitting.

    Attributes
    ----------
    images : ndarray of uint8, shape (N, 48, 48)
    labels : ndarray of int64, shape (N,)
        Indices into ``class_names``; 0..6 are FER-2013's classes.
    usage : ndarray of int8, shape (N,)
        The split the source assigns: ``TRAIN``, ``VAL``, ``TEST`` or ``UNASSIGNED``.
    usage_names : tuple of str
        The source's own names of the three splits (``Training``, ``PublicTest``...).
    source, format : str
        Where it was read from and how (``fer2013-csv``, ``kaggle-folders``...).
    fingerprint : str
        Hash of the decoded arrays: the same images, labels and usage give the same
        fingerprint whatever the file format.
    skipped : int
        Unreadable images that were skipped.
    generator : dict or None
        For a data set a program draws (the synthetic one), the arguments that draw
        it again (``n_per_class``, ``seed``); None for data read from files.
    dropped : dict of str to int
        Rows of the source left out, by reason (``"contempt"``, ``"no face"``...).
    soft_labels : ndarray of float32, shape (N, n_classes), or None
        Each image's distribution over ``class_names`` where the source gives one
        (FER+'s votes); rows sum to 1. ``labels`` holds each row's most likely class.
    label_source : dict or None
        The options of :func:`fer_classic.data.load_dataset` that set the labels
        beyond what ``source`` says (``labels``, ``label_scheme``, ``class_order``);
        None when there were none.
    """

    images: np.ndarray
    labels: np.ndarray
    usage: np.ndarray
    source: str
    format: str
    fingerprint: str
    usage_names: tuple[str, str, str] = ("train", "val", "test")
    class_names: tuple[str, ...] = CLASS_NAMES
    skipped: int = 0
    generator: dict[str, Any] | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    soft_labels: np.ndarray | None = None
    label_source: dict[str, Any] | None = None

    @classmethod
    def from_decoded(
        cls,
        images: np.ndarray,
        labels: Sequence[int] | np.ndarray,
        usage: Sequence[int] | np.ndarray,
        ok: np.ndarray,
        *,
        source: str,
        format: str,
        class_names: Sequence[str] = CLASS_NAMES,
        usage_names: tuple[str, str, str] = ("train", "val", "test"),
        dropped: dict[str, int] | None = None,
    ) -> RawData:
        """The data set of the images a reader decoded, the unread ones left out.

        ``images`` uint8 ``(N, 48, 48)``, ``labels`` and ``usage`` ``(N,)`` are every
        listed image's; ``ok``, bool ``(N,)``, marks those read. The others count
        as ``skipped``; the fingerprint covers images, labels, usage and classes.
        """
        images = images[ok]
        labels = np.asarray(labels, dtype=np.int64)[ok]
        usage = np.asarray(usage, dtype=np.int8)[ok]
        return cls(
            images=images,
            labels=labels,
            usage=usage,
            source=source,
            format=format,
            fingerprint=hash_arrays(images, labels, usage, ",".join(class_names)),
            usage_names=usage_names,
            class_names=tuple(class_names),
            skipped=int(len(ok) - np.count_nonzero(ok)),
            dropped=dict(dropped or {}),
        )


@dataclass(frozen=True, eq=False)
class Split:
    """One split of a data set: images, labels and the split's name.

    ``images`` is uint8 ``(N, 48, 48)``, ``labels`` int64 ``(N,)``; ``indices``
    are the rows of the source data set the split holds; ``soft_labels``, float32
    ``(N, n_classes)`` or None, the rows of :attr:`RawData.soft_labels`.
    """

    name: str
    images: np.ndarray
    labels: np.ndarray
    indices: np.ndarray
    source_name: str
    parent_fingerprint: str
    soft_labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)

    @cached_property
    def fingerprint(self) -> str:
        """Identifies the split's content: the source's fingerprint and the rows taken."""
        return hash_arrays(self.parent_fingerprint, self.name, self.indices)

    def class_counts(self, n_classes: int) -> np.ndarray:
        """Number of images of each class, shape ``(n_classes,)``."""
        return np.bincount(self.labels, minlength=n_classes)


@dataclass(frozen=True, eq=False)
class FERDataset:
    """A data set split into train, validation and test.

    Built by :func:`fer_classic.data.load_dataset`, :func:`make_synthetic` or
    :func:`fer_classic.data.dataset_from_arrays`. All three splits hold uint8
    ``(N, 48, 48)`` images and int64 labels indexing :attr:`class_names`.
    """

    train: Split
    val: Split
    test: Split
    raw: RawData = field(repr=False)
    split: str
    seed: int
    is_synthetic: bool = False

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.raw.class_names

    @property
    def splits(self) -> tuple[Split, Split, Split]:
        return (self.train, self.val, self.test)

    @cached_property
    def fingerprint(self) -> str:
        """Identifies the data and the split: equal fingerprints, equal arrays."""
        return hash_arrays(self.train.fingerprint, self.val.fingerprint, self.test.fingerprint)

    def describe(self) -> dict[str, Any]:
        """What a manifest records about the data: source, format, split and counts."""
        return {
            "source": self.raw.source,
            "format": self.raw.format,
            "synthetic": self.is_synthetic,
            "generator": self.raw.generator,
            "split": self.split,
            "seed": self.seed,
            "fingerprint": self.fingerprint,
            "source_fingerprint": self.raw.fingerprint,
            "test_fingerprint": self.test.fingerprint,
            "class_names": list(self.class_names),
            "labels": self.raw.label_source,
            "dropped": dict(self.raw.dropped),
            "counts": {s.name: len(s) for s in self.splits},
            "split_names": {s.name: s.source_name for s in self.splits},
        }
