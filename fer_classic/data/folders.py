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

Numbered class folders (``0/`` .. ``6/``) are read in FER-2013's label order. Copies of
other data sets number their folders in their own order (RAF-DB's from ``1/``
surprise to ``7/`` neutral), so a numbered layout that does not fit FER-2013's (a
number above 6, or no ``0/``) is refused unless ``class_order``
(:func:`fer_classic.data.labels.parse_class_order`) says what the numbers mean.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from ..errors import DataError
from .dataset import TEST, TRAIN, UNASSIGNED, VAL, RawData
from .images import IMAGE_SUFFIXES, read_image_files, skipped_message
from .labels import CLASS_NAMES, CLASS_ORDERS, ClassOrder, canonical_class, check_extra_classes

_SPLIT_FOLDERS = {"train": TRAIN, "training": TRAIN, "val": VAL, "validation": VAL, "test": TEST}


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
    if subdirs and any(canonical_class(d.name) or d.name.isdigit() for d in subdirs):
        return "class-folders", {UNASSIGNED: root}
    if not subdirs and not _image_files(root):
        raise DataError(f"{root}: holds no images and no class folders")
    raise DataError(
        f"{root}: unknown layout; expected train/ and test/ folders of class folders, "
        "or class folders such as angry/, happy/, ... directly inside"
    )


def _numbered_order(
    root: Path, split_dirs: dict[int, Path], class_order: ClassOrder | None
) -> ClassOrder:
    """The class order of numbered class folders; refuses numbers it does not cover."""
    numbers = sorted(
        {
            int(d.name)
            for folder in split_dirs.values()
            for d in _subdirs(folder)
            if d.name.isdigit()
        }
    )
    order = class_order or CLASS_ORDERS["fer2013"]
    if not numbers:
        return order
    outside = [n for n in numbers if order.name_of(n) is None]
    if class_order is None and (outside or 0 not in numbers):
        raise DataError(
            f"{root}: class folders are numbered {numbers[0]}..{numbers[-1]}, which is not "
            "FER-2013's 0..6 (RAF-DB copies number 1 surprise .. 7 neutral); say what the "
            "numbers mean with class_order='fer2013', 'rafdb', 'affectnet' or class names "
            "(--class-order)"
        )
    if outside:
        raise DataError(
            f"{root}: class folder {outside[0]} is outside the class order, which numbers "
            f"{order.numbers.start}..{order.numbers.stop - 1}"
        )
    return order


def _class_of(class_dir: Path, order: ClassOrder) -> str | None:
    """The class a folder stands for: by its number in ``order``, else by its name."""
    if class_dir.name.isdigit():
        return order.name_of(int(class_dir.name))
    return canonical_class(class_dir.name)


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
    class_order: ClassOrder | None = None,
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
    n_threads : int, optional
        Reading threads (:func:`~fer_classic.data.images.read_image_files`).
    class_order : ClassOrder, optional
        What numbered class folders mean; default FER-2013's order, for numbers
        that fit it.

    Raises
    ------
    DataError
        Unknown layout, an empty class folder, no images at all, numbered folders
        that do not fit the class order, or (with ``strict``) an unreadable image.
    """
    root = Path(root)
    check_extra_classes(extra_classes)
    layout, split_dirs = detect_folder_layout(root)
    order = _numbered_order(root, split_dirs, class_order)
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
            name = _class_of(class_dir, order)
            if name not in CLASS_NAMES:
                if extra_classes == "drop":
                    key = name or class_dir.name
                    dropped[key] = dropped.get(key, 0) + len(images)
                    continue
                name = name or class_dir.name.lower()
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
    images, ok = read_image_files(files, strict=strict, n_threads=n_threads)
    message = skipped_message(root, files, ok)
    if message:
        warnings.warn(message, stacklevel=2)
    usage_names = (
        ("train", "validation", "test") if layout == "three-folders" else ("train", "val", "test")
    )
    return RawData.from_decoded(
        images,
        labels,
        usage,
        ok,
        source=str(root),
        format=layout,
        class_names=class_names,
        usage_names=usage_names,
        dropped=dropped,
    )
