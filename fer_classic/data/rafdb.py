"""RAF-DB's basic set, as distributed: a label list and aligned colour faces.

Layout (``ROOT`` is the download folder, or its ``basic`` folder itself)::

    ROOT/basic/EmoLabel/list_patition_label.txt
    ROOT/basic/Image/aligned/train_00001_aligned.jpg
    ROOT/basic/Image/aligned/test_0001_aligned.jpg
    ...

``list_patition_label.txt`` (the distributed name, misspelt) holds one line per
image, ``NAME LABEL`` separated by white space: ``train_00001.jpg 5``. The image
of ``NAME`` is ``Image/aligned/`` + ``NAME`` with ``_aligned`` before the suffix,
a 100x100 colour face read as 48x48 grey (area interpolation).

Labels are RAF-DB's own numbers 1..7 (1 surprise, 2 fear, 3 disgust, 4 happiness,
5 sadness, 6 anger, 7 neutral), mapped to FER-2013's classes by
``CLASS_ORDERS["rafdb"]`` (:mod:`fer_classic.data.labels`). RAF-DB's basic set has
no class outside FER-2013's seven, so ``extra_classes`` changes nothing.

The split is the file names' prefix: ``train_`` names are ``TRAIN``, ``test_``
names ``TEST``; RAF-DB defines no validation set, so the canonical split carves
one from train.

Every listed image must be present: a missing one is an error, not a skip, so a
partial copy cannot silently shrink the test set. A present but unreadable image
is skipped with a warning, or raises with ``strict``.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from ..errors import DataError
from .dataset import TEST, TRAIN, RawData
from .folders import listing_fingerprint
from .images import read_image_files, skipped_message
from .labels import CLASS_NAMES, CLASS_ORDERS, check_extra_classes

#: The format name ``data info`` and manifests give RAF-DB.
FORMAT = "rafdb"

#: The label list, relative to the ``basic`` folder (the distributed spelling).
LABEL_LIST = Path("EmoLabel") / "list_patition_label.txt"

#: The aligned faces' folder, relative to the ``basic`` folder.
ALIGNED_DIR = Path("Image") / "aligned"

_ORDER = CLASS_ORDERS["rafdb"]
_PREFIXES = {"train_": TRAIN, "test_": TEST}


def _basic_dir(root: Path) -> Path | None:
    """The ``basic`` folder of a RAF-DB root (``root/basic`` or ``root`` itself), or None."""
    for basic in (root / "basic", root):
        if (basic / LABEL_LIST).is_file():
            return basic
    return None


def detect(root: Path) -> bool:
    """Whether ``root`` holds RAF-DB's label list (in ``basic/`` or directly)."""
    return Path(root).is_dir() and _basic_dir(Path(root)) is not None


def fingerprint(root: Path) -> str:
    """Changes when the label list's bytes or any aligned image's name, size or time do."""
    basic = _basic_dir(Path(root))
    if basic is None:
        raise DataError(f"{root}: holds no RAF-DB label list {Path('basic') / LABEL_LIST}")
    digest = hashlib.blake2b(digest_size=16)
    digest.update((basic / LABEL_LIST).read_bytes())
    aligned = basic / ALIGNED_DIR
    digest.update((listing_fingerprint(aligned) if aligned.is_dir() else "no images").encode())
    return digest.hexdigest()


def _aligned_name(name: str) -> str:
    path = Path(name)
    return f"{path.stem}_aligned{path.suffix}"


def _parse_line(list_path: Path, number: int, line: str) -> tuple[str, int, int]:
    """One list line's image name, FER-2013 label and usage code."""
    fields = line.split()
    if len(fields) != 2:
        raise DataError(
            f"{list_path}: line {number}: expected 'NAME LABEL' (train_00001.jpg 5), "
            f"got {line.strip()[:80]!r}"
        )
    name, label_text = fields
    try:
        raf_number = int(label_text)
    except ValueError:
        raf_number = None
    class_name = None if raf_number is None else _ORDER.name_of(raf_number)
    if class_name is None:
        valid = f"{_ORDER.numbers.start}..{_ORDER.numbers.stop - 1}"
        raise DataError(f"{list_path}: line {number}: label {label_text!r} is not one of {valid}")
    usage = next((code for prefix, code in _PREFIXES.items() if name.startswith(prefix)), None)
    if usage is None:
        raise DataError(
            f"{list_path}: line {number}: image name {name!r} starts with neither "
            "'train_' nor 'test_'"
        )
    return name, CLASS_NAMES.index(class_name), usage


def _read_list(list_path: Path, aligned: Path) -> tuple[list[Path], list[int], list[int]]:
    """The listed images' paths, labels and usage codes, each checked against the folder."""
    try:
        text = list_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{list_path}: cannot be read as a text file ({exc})") from None
    present = {p.name for p in aligned.iterdir()}
    files: list[Path] = []
    labels: list[int] = []
    usage: list[int] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, label, code = _parse_line(list_path, number, line)
        if name in seen:
            raise DataError(
                f"{list_path}: line {number}: {name} is listed again (first on line {seen[name]})"
            )
        seen[name] = number
        image = aligned / _aligned_name(name)
        if image.name not in present:
            raise DataError(f"{list_path}: line {number}: image {image} is missing")
        files.append(image)
        labels.append(label)
        usage.append(code)
    if not files:
        raise DataError(f"{list_path}: lists no images")
    return files, labels, usage


def read(root: Path, *, extra_classes: str = "drop", strict: bool = False) -> RawData:
    """Read RAF-DB's basic set as uint8 48x48 grey images with FER-2013 labels.

    Parameters
    ----------
    root : path
        The RAF-DB folder holding ``basic/``, or ``basic/`` itself.
    extra_classes : {"drop", "keep"}
        Accepted for the common reader interface; RAF-DB's basic set has only
        FER-2013's seven classes.
    strict : bool
        Raise on the first unreadable image instead of skipping it with a warning.

    Returns
    -------
    RawData
        ``usage`` is ``TRAIN`` for ``train_`` names and ``TEST`` for ``test_``
        names, in the list's order.

    Raises
    ------
    DataError
        Naming the list file and the 1-based line: a line that is not
        ``NAME LABEL``, a label outside 1..7, a name starting with neither
        ``train_`` nor ``test_``, a duplicate name, a listed image missing from
        ``Image/aligned/``; also an absent aligned folder, an empty list, or (with
        ``strict``) an unreadable image.
    """
    root = Path(root)
    check_extra_classes(extra_classes)
    basic = _basic_dir(root)
    if basic is None:
        raise DataError(f"{root}: holds no RAF-DB label list {Path('basic') / LABEL_LIST}")
    list_path = basic / LABEL_LIST
    aligned = basic / ALIGNED_DIR
    if not aligned.is_dir():
        raise DataError(
            f"{aligned}: RAF-DB's aligned image folder is missing (the images of {list_path})"
        )
    files, labels, usage = _read_list(list_path, aligned)
    images, ok = read_image_files(files, strict=strict)
    message = skipped_message(root, files, ok)
    if message:
        warnings.warn(message, stacklevel=2)
    return RawData.from_decoded(images, labels, usage, ok, source=str(root), format=FORMAT)
