"""AffectNet's manually annotated set, in the CSV form it is distributed in.

Layout::

    ROOT/training.csv
    ROOT/validation.csv
    ROOT/Manually_Annotated_Images/<subDirectory_filePath>

Some copies put the image folders directly in ``ROOT``: images are looked up in
``ROOT/Manually_Annotated_Images/`` where that folder exists, else in ``ROOT``.
Both CSV files have the header ``subDirectory_filePath,face_x,face_y,face_width,
face_height,facial_landmarks,expression,valence,arousal``; columns are found by
name, so their order does not matter.

Classes
    ``expression`` codes 0..7 follow ``CLASS_ORDERS["affectnet"]``
    (:mod:`fer_classic.data.labels`) and are given FER-2013's labels; 7 (contempt)
    becomes label 7 with ``extra_classes="keep"``, else its rows are dropped.
    Codes 8 (none), 9 (uncertain) and 10 (no face) name no class: their rows are
    always dropped. Dropped rows are counted in :attr:`RawData.dropped` and their
    images are never opened.
Faces
    Each face is cut out of its image by the row's box (``face_x``, ``face_y``: the
    top-left corner in pixels; ``face_width``, ``face_height``) and made grey 48x48.
    A box may touch the image border; an edge that overhangs the image by at most
    :data:`BOX_OVERHANG_PIXELS` pixels or :data:`BOX_OVERHANG_FRACTION` of the box's
    side, whichever is more, is clipped to the image. A box further outside is an
    error.
Splits
    ``training.csv`` rows are ``TRAIN`` and ``validation.csv`` rows ``TEST``:
    AffectNet's test set is not public and papers report on its validation set.
    The canonical split carves validation from ``training.csv``
    (:func:`fer_classic.data.splits.split_raw`).
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import DataError
from .dataset import TEST, TRAIN, RawData
from .folders import listing_fingerprint
from .images import IMAGE_SIZE, decode_image, opencv_quiet, skipped_message, to_gray48
from .labels import CLASS_NAMES, CLASS_ORDERS, CONTEMPT, check_extra_classes

#: The format name :mod:`fer_classic.data.formats` gives this layout.
FORMAT = "affectnet"

#: The CSV files and the split each one's rows belong to.
CSV_FILES: dict[str, int] = {"training.csv": TRAIN, "validation.csv": TEST}

#: The folder the images lie in, where a copy has it.
IMAGE_FOLDER = "Manually_Annotated_Images"

#: The names of the train, validation and test splits the source defines.
USAGE_NAMES = ("training.csv", "carved from training.csv", "validation.csv")

#: The columns read, by their header names.
PATH_COLUMN = "subDirectory_filePath"
CODE_COLUMN = "expression"
BOX_COLUMNS = ("face_x", "face_y", "face_width", "face_height")

#: Expression codes after AffectNet's classes: no class, so their rows are dropped.
NO_CLASS_CODES: dict[int, str] = {8: "none", 9: "uncertain", 10: "no face"}

#: How far a box edge may lie outside its image and still be clipped: the larger
#: of these pixels and this fraction of the box's side.
BOX_OVERHANG_PIXELS = 2
BOX_OVERHANG_FRACTION = 0.05

_ORDER = CLASS_ORDERS["affectnet"]
_MAX_CODE = max(NO_CLASS_CODES)
_BATCH = 1024


class _Row(NamedTuple):
    """One face to read: where it is listed, its image, box (x, y, w, h) and code."""

    csv_path: Path
    line: int
    path: str
    box: tuple[int, int, int, int]
    code: int


def _header(path: Path) -> list[str] | None:
    """The column names of a CSV file's first line; None if it cannot be read."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError):
        return None
    return [name.strip() for name in next(csv.reader([first]), [])]


def detect(root: Path) -> bool:
    """Whether ``root`` holds ``training.csv`` and ``validation.csv`` in AffectNet's form.

    Reads only each file's first line.
    """
    root = Path(root)
    for name in CSV_FILES:
        path = root / name
        if not path.is_file():
            return False
        header = _header(path)
        if header is None or PATH_COLUMN not in header or CODE_COLUMN not in header:
            return False
    return True


def image_folder(root: Path) -> Path:
    """The folder ``subDirectory_filePath`` is relative to."""
    folder = Path(root) / IMAGE_FOLDER
    return folder if folder.is_dir() else Path(root)


def fingerprint(root: Path) -> str:
    """Identifies the CSV files' bytes and the image files' paths, sizes and times."""
    root = Path(root)
    digest = hashlib.blake2b(digest_size=16)
    for name in CSV_FILES:
        digest.update(f"{name}\0".encode())
        with open(root / name, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    folder = image_folder(root)
    digest.update(f"\0{folder.name}\0{listing_fingerprint(folder)}".encode())
    return digest.hexdigest()


def _columns(path: Path, header: list[str] | None) -> dict[str, int]:
    if header is None:
        raise DataError(f"{path}: is empty")
    names = [name.strip() for name in header]
    needed = (PATH_COLUMN, *BOX_COLUMNS, CODE_COLUMN)
    missing = [name for name in needed if name not in names]
    if missing:
        raise DataError(
            f"{path}: line 1: header lacks {', '.join(missing)}; expected AffectNet's "
            f"'{PATH_COLUMN},face_x,face_y,face_width,face_height,facial_landmarks,"
            f"{CODE_COLUMN},valence,arousal'"
        )
    return {name: names.index(name) for name in needed}


def _code(path: Path, line: int, text: str) -> int:
    try:
        code = int(text.strip())
    except ValueError:
        raise DataError(f"{path}: line {line}: {CODE_COLUMN} {text!r} is not an integer") from None
    if not 0 <= code <= _MAX_CODE:
        raise DataError(f"{path}: line {line}: {CODE_COLUMN} {code} is outside 0..{_MAX_CODE}")
    return code


def _box(path: Path, line: int, fields: list[str]) -> tuple[int, int, int, int]:
    values = []
    for name, text in zip(BOX_COLUMNS, fields, strict=True):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise DataError(f"{path}: line {line}: {name} {text!r} is not a number")
        values.append(value)
    x, y, width, height = values
    for name, value in (("face_width", width), ("face_height", height)):
        if value <= 0:
            raise DataError(f"{path}: line {line}: {name} {value:g} is not positive")
    return round(x), round(y), max(1, round(width)), max(1, round(height))


def _read_csv(path: Path) -> list[_Row]:
    """Every row of one CSV file, checked (code, box), in file order."""
    rows: list[_Row] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            columns = _columns(path, next(reader, None))
            width = max(columns.values()) + 1
            for row in reader:
                line = reader.line_num
                if not any(field.strip() for field in row):
                    continue
                if len(row) < width:
                    raise DataError(
                        f"{path}: line {line}: has {len(row)} fields, expected at least {width}"
                    )
                image = row[columns[PATH_COLUMN]].strip()
                if not image:
                    raise DataError(f"{path}: line {line}: {PATH_COLUMN} is empty")
                code = _code(path, line, row[columns[CODE_COLUMN]])
                box = _box(path, line, [row[columns[name]] for name in BOX_COLUMNS])
                rows.append(_Row(path, line, image, box, code))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot be read as a CSV file ({exc})") from None
    if not rows:
        raise DataError(f"{path}: holds a header but no rows")
    return rows


def _label(code: int, extra_classes: str) -> int | str:
    """The label of a code, or the reason its row is dropped."""
    name = _ORDER.name_of(code)
    if name is None:
        return NO_CLASS_CODES[code]
    if name in CLASS_NAMES:
        return CLASS_NAMES.index(name)
    return len(CLASS_NAMES) if extra_classes == "keep" else name


def _check_present(folder: Path, rows: list[_Row]) -> None:
    missing = [row for row in rows if not (folder / row.path).is_file()]
    if missing:
        first = missing[0]
        more = (
            f" (and {len(missing) - 1} more of the {len(rows)} images to read)"
            if len(missing) > 1
            else ""
        )
        raise DataError(
            f"{first.csv_path}: line {first.line}: image {folder / first.path} is missing{more}"
        )


def _clip_box(
    box: tuple[int, int, int, int], height: int, width: int
) -> tuple[int, int, int, int] | None:
    """The box's pixel edges (x0, y0, x1, y1) clipped to the image; None when outside."""
    x, y, w, h = box
    slack_x = max(BOX_OVERHANG_PIXELS, BOX_OVERHANG_FRACTION * w)
    slack_y = max(BOX_OVERHANG_PIXELS, BOX_OVERHANG_FRACTION * h)
    if x < -slack_x or y < -slack_y or x + w > width + slack_x or y + h > height + slack_y:
        return None
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _read_face(
    job: tuple[Path, tuple[int, int, int, int]],
) -> tuple[np.ndarray | None, tuple[int, int] | None]:
    """One face: (the grey 48x48 crop, None).

    (None, the image's (height, width)) when the box lies outside the image;
    (None, None) when the image is unreadable.
    """
    path, box = job
    try:
        image = decode_image(path)
        if image is None or image.ndim < 2 or 0 in image.shape[:2]:
            return None, None
        edges = _clip_box(box, *image.shape[:2])
        if edges is None:
            return None, image.shape[:2]
        x0, y0, x1, y1 = edges
        return to_gray48(image[y0:y1, x0:x1]), None
    except (OSError, ValueError):
        return None, None


def _read_faces(
    folder: Path, rows: list[_Row], *, strict: bool, n_threads: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The faces of ``rows``, uint8 ``(N, 48, 48)``, and which were read, bool ``(N,)``."""
    images = np.zeros((len(rows), IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    ok = np.zeros(len(rows), dtype=bool)
    workers = n_threads or min(8, (os.cpu_count() or 1) * 2)
    with opencv_quiet(), ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(rows), _BATCH):
            jobs = [(folder / row.path, row.box) for row in rows[start : start + _BATCH]]
            for i, (face, shape) in enumerate(pool.map(_read_face, jobs), start=start):
                if face is not None:
                    images[i] = face
                    ok[i] = True
                    continue
                row = rows[i]
                if shape is not None:
                    x, y, w, h = row.box
                    raise DataError(
                        f"{row.csv_path}: line {row.line}: face box {w}x{h} at ({x}, {y}) lies "
                        f"outside image {folder / row.path} ({shape[1]}x{shape[0]})"
                    )
                if strict:
                    raise DataError(
                        f"{row.csv_path}: line {row.line}: image {folder / row.path} is unreadable "
                        "or corrupt"
                    )
    return images, ok


def _dropped_message(root: Path, dropped: dict[str, int]) -> str:
    summary = ", ".join(f"{reason} ({count})" for reason, count in dropped.items())
    message = (
        f"{root}: dropped {sum(dropped.values())} row(s) outside FER-2013's seven classes: "
        f"{summary}"
    )
    if CONTEMPT in dropped:
        message += "; keep contempt with extra_classes='keep' (--extra-classes keep)"
    return message


def read(
    root: Path,
    *,
    extra_classes: str = "drop",
    strict: bool = False,
    n_threads: int | None = None,
) -> RawData:
    """Read AffectNet's manually annotated set as uint8 48x48 grey faces.

    Parameters
    ----------
    root : path
        The folder of ``training.csv``, ``validation.csv`` and the images (module
        docstring).
    extra_classes : {"drop", "keep"}
        Contempt (code 7): dropped and counted, or kept as label 7.
    strict : bool
        Raise on the first unreadable image instead of skipping it with a warning.
    n_threads : int, optional
        Decoding threads; default twice the cores, at most 8.

    Returns
    -------
    RawData
        The kept rows in file order, ``training.csv`` first; ``usage`` ``TRAIN``
        for ``training.csv`` and ``TEST`` for ``validation.csv``; ``dropped``
        counts rows by reason (``"none"``, ``"uncertain"``, ``"no face"``,
        ``"contempt"``).

    Raises
    ------
    DataError
        Naming the CSV file and its 1-based line: an empty file, a header lacking a
        needed column, a code that is not an integer 0..10, a box field that is
        not a number, a width or height that is not positive, a box outside its
        image, a listed image that is missing, or (with ``strict``) an unreadable
        image.
    """
    root = Path(root)
    check_extra_classes(extra_classes)
    rows: list[_Row] = []
    labels: list[int] = []
    usage: list[int] = []
    dropped: dict[str, int] = {}
    for name, code in CSV_FILES.items():
        for row in _read_csv(root / name):
            label = _label(row.code, extra_classes)
            if isinstance(label, str):
                dropped[label] = dropped.get(label, 0) + 1
                continue
            rows.append(row)
            labels.append(label)
            usage.append(code)
    reasons = (*NO_CLASS_CODES.values(), CONTEMPT)
    dropped = {reason: dropped[reason] for reason in reasons if reason in dropped}
    if dropped:
        warnings.warn(_dropped_message(root, dropped), stacklevel=2)
    if not rows:
        raise DataError(f"{root}: no rows of FER-2013's classes")
    folder = image_folder(root)
    _check_present(folder, rows)
    images, ok = _read_faces(folder, rows, strict=strict, n_threads=n_threads)
    message = skipped_message(root, [folder / row.path for row in rows], ok)
    if message:
        warnings.warn(message, stacklevel=2)
    class_names = CLASS_NAMES
    if np.any(np.asarray(labels)[ok] == len(CLASS_NAMES)):
        class_names = (*CLASS_NAMES, CONTEMPT)
    return RawData.from_decoded(
        images,
        labels,
        usage,
        ok,
        source=str(root),
        format=FORMAT,
        class_names=class_names,
        usage_names=USAGE_NAMES,
        dropped=dropped,
    )
