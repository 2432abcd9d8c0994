"""Image-folder data sets: the Kaggle FER-2013 folders and any ``root/<class>/*`` set.

Layouts, detected by :func:`detect_folder_layout`:

``kaggle-folders``
    ``root/train/<class>/*`` and ``root/test/<class>/*``: FER-2013 as Kaggle's image
    copy ships it. Its ``test`` merges PublicTest and PrivateTest.
``three-folders``
    ``root/train/``, ``root/validation/`` (or ``val/``), ``root/test/``, each of
    class folders.
``class-folders``
    ``root/<class>/*``, as CK+48 and JAFFE are commonly shared: no split of its own.

Class folders are matched to FER-2013's seven classes by name
(:func:`fer_classic.data.labels.canonical_class`: ``anger`` -> ``angry``,
``sadness`` -> ``sad``...). Folders that match none (``contempt``) are dropped with a
warning, or kept as extra classes numbered from 7 with ``extra_classes="keep"``;
they are never given one of the seven labels.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import DataError
from .dataset import TEST, TRAIN, UNASSIGNED, VAL, RawData, hash_arrays
from .images import IMAGE_SIZE, IMAGE_SUFFIXES, opencv_quiet, read_image
from .labels import CLASS_NAMES, canonical_class

_SPLIT_FOLDERS = {"train": TRAIN, "training": TRAIN, "val": VAL, "validation": VAL, "test": TEST}
EXTRA_CLASSES = ("drop", "keep")


def _subdirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))


def _image_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
    )


def detect_folder_layout(root: Path) -> tuple[str, dict[int, Path]]:
    """The layout of an image-folder root and its split folders (``{usage: folder}``).

    Raises :class:`DataError` when the folder matches no layout.
    """
    subdirs = _subdirs(root)
    split_dirs = {
        _SPLIT_FOLDERS[d.name.lower()]: d for d in subdirs if d.name.lower() in _SPLIT_FOLDERS
    }
    if TRAIN in split_dirs and TEST in split_dirs:
        layout = "three-folders" if VAL in split_dirs else "kaggle-folders"
        return layout, split_dirs
    if subdirs and any(canonical_class(d.name) for d in subdirs):
        return "class-folders", {UNASSIGNED: root}
    if not subdirs and not _image_files(root):
        raise DataError(f"{root}: holds no images and no class folders")
    raise DataError(
        f"{root}: unknown layout; expected train/ and test/ folders of class folders, "
        "or class folders such as angry/, happy/, ... directly inside"
    )


def listing_fingerprint(root: Path) -> str:
    """Identifies an image folder's files by relative path, size and modification time.

    Used as the cache key: cheap to compute without decoding any image.
    """
    digest = hashlib.blake2b(digest_size=16)
    for path in _image_files(root):
        stat = path.stat()
        digest.update(
            f"{path.relative_to(root).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()


def read_image_folders(
    root: str | Path,
    *,
    extra_classes: str = "drop",
    strict: bool = False,
    n_threads: int | None = None,
) -> RawData:
    """Read an image-folder data set as uint8 48x48 grey images.

    Parameters
    ----------
    root : path
        The data set's root folder, in one of the layouts of the module docstring.
    extra_classes : {"drop", "keep"}
        What to do with class folders that are none of FER-2013's seven.
    strict : bool
        Raise on the first unreadable image instead of skipping it with a warning.

    Raises
    ------
    DataError
        Unknown layout, an empty class folder, no images at all, or (with
        ``strict``) an unreadable image.
    """
    root = Path(root)
    if extra_classes not in EXTRA_CLASSES:
        raise DataError(f"unknown extra_classes {extra_classes!r}; choose from drop, keep")
    layout, split_dirs = detect_folder_layout(root)
    class_names = list(CLASS_NAMES)
    files: list[Path] = []
    labels: list[int] = []
    usage: list[int] = []
    dropped: dict[str, int] = {}
    for code, split_dir in sorted(split_dirs.items()):
        class_dirs = _subdirs(split_dir)
        if not class_dirs:
            raise DataError(f"{split_dir}: holds no class folders")
        for class_dir in class_dirs:
            images = _image_files(class_dir)
            if not images:
                raise DataError(f"{class_dir}: empty class folder (no image files)")
            name = canonical_class(class_dir.name)
            if name is None:
                if extra_classes == "drop":
                    dropped[class_dir.name] = dropped.get(class_dir.name, 0) + len(images)
                    continue
                name = class_dir.name.lower()
                if name not in class_names:
                    class_names.append(name)
            files.extend(images)
            labels.extend([class_names.index(name)] * len(images))
            usage.extend([code] * len(images))
    if dropped:
        summary = ", ".join(f"{name} ({count})" for name, count in sorted(dropped.items()))
        warnings.warn(
            f"{root}: dropped class folders outside FER-2013's seven: {summary}; "
            "keep them with extra_classes='keep' (--extra-classes keep)",
            stacklevel=2,
        )
    if not files:
        raise DataError(f"{root}: no images of FER-2013's classes")
    images, ok = _read_all(files, strict, n_threads)
    skipped = int(len(files) - ok.sum())
    if skipped:
        bad = [str(files[i].relative_to(root)) for i in np.flatnonzero(~ok)[:3]]
        more = f" and {skipped - len(bad)} more" if skipped > len(bad) else ""
        warnings.warn(
            f"{root}: skipped {skipped} unreadable image(s): {', '.join(bad)}{more}",
            stacklevel=2,
        )
    usage_names = (
        ("train", "validation", "test") if layout == "three-folders" else ("train", "val", "test")
    )
    images = images[ok]
    labels_array = np.asarray(labels, dtype=np.int64)[ok]
    usage_array = np.asarray(usage, dtype=np.int8)[ok]
    return RawData(
        images=images,
        labels=labels_array,
        usage=usage_array,
        source=str(root),
        format=layout,
        fingerprint=hash_arrays(images, labels_array, usage_array, ",".join(class_names)),
        usage_names=usage_names,
        class_names=tuple(class_names),
        skipped=skipped,
    )


def _read_all(
    files: list[Path], strict: bool, n_threads: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Decode files in threads (OpenCV releases the GIL); returns images and a mask of successes."""
    images = np.zeros((len(files), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    ok = np.zeros(len(files), dtype=bool)
    workers = n_threads or min(8, (os.cpu_count() or 1) * 2)
    with opencv_quiet(), ThreadPoolExecutor(max_workers=workers) as pool:
        for i, image in enumerate(pool.map(_read_or_none, files, chunksize=64)):
            if image is None:
                if strict:
                    raise DataError(f"{files[i]}: unreadable or corrupt image")
                continue
            images[i] = image
            ok[i] = True
    return images, ok


def _read_or_none(path: Path) -> np.ndarray | None:
    try:
        return read_image(path)
    except (OSError, ValueError):
        return None
