"""FER-2013's Kaggle CSV (``emotion,pixels,Usage``), plain or gzip-compressed."""

from __future__ import annotations

import csv
import gzip
import io
import warnings
from pathlib import Path

import numpy as np

from ..errors import DataError
from .dataset import TEST, TRAIN, UNASSIGNED, VAL, RawData, hash_arrays
from .formats import FER2013_CSV
from .images import IMAGE_SIZE
from .labels import CLASS_NAMES

N_PIXELS = IMAGE_SIZE * IMAGE_SIZE
USAGE_CODES = {"Training": TRAIN, "PublicTest": VAL, "PrivateTest": TEST}
USAGE_NAMES = ("Training", "PublicTest", "PrivateTest")


def open_text(path: Path) -> io.TextIOBase:
    """Open a plain or gzip-compressed text file for reading."""
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_fer_csv(path: str | Path) -> RawData:
    """Read FER-2013's CSV.

    The header must name ``emotion`` and ``pixels``; ``Usage`` is optional (without
    it no canonical split exists). Each ``pixels`` field holds 2304 grey values
    0..255 separated by spaces, a 48x48 image in row-major order.

    Raises
    ------
    DataError
        Naming the file and the 1-based line of the first bad row: wrong header,
        pixel count other than 2304, a non-numeric or out-of-range value, a label
        outside 0..6, an unknown Usage.
    """
    path = Path(path)
    try:
        with open_text(path) as f:
            reader = csv.reader(f)
            header = next(reader, None)
            columns = _check_header(path, header)
            labels, usage, pixel_fields, lines = _read_rows(path, reader, columns)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot be read as a CSV file ({exc})") from None
    if not labels:
        raise DataError(f"{path}: holds a header but no rows")
    images = _parse_pixels(path, pixel_fields, lines)
    labels_array = np.asarray(labels, dtype=np.int64)
    usage_array = np.asarray(usage, dtype=np.int8)
    return RawData(
        images=images,
        labels=labels_array,
        usage=usage_array,
        source=str(path),
        format=FER2013_CSV,
        fingerprint=hash_arrays(images, labels_array, usage_array),
        usage_names=USAGE_NAMES,
    )


def _check_header(path: Path, header: list[str] | None) -> dict[str, int]:
    if header is None:
        raise DataError(f"{path}: is empty")
    names = [h.strip() for h in header]
    missing = [c for c in ("emotion", "pixels") if c not in names]
    if missing:
        raise DataError(
            f"{path}: header {','.join(names)[:80]!r} lacks {' and '.join(missing)}; "
            "expected FER-2013's 'emotion,pixels,Usage'"
        )
    return {name: names.index(name) for name in ("emotion", "pixels", "Usage") if name in names}


def _read_rows(
    path: Path, reader: csv.reader, columns: dict[str, int]
) -> tuple[list[int], list[int], list[str], list[int]]:
    i_emotion, i_pixels = columns["emotion"], columns["pixels"]
    i_usage = columns.get("Usage")
    width = max(columns.values()) + 1
    labels: list[int] = []
    usage: list[int] = []
    pixel_fields: list[str] = []
    lines: list[int] = []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < width:
            raise DataError(f"{path}: line {line}: has {len(row)} fields, expected {width}")
        try:
            label = int(row[i_emotion])
        except ValueError:
            raise DataError(
                f"{path}: line {line}: emotion {row[i_emotion]!r} is not a number"
            ) from None
        if not 0 <= label < len(CLASS_NAMES):
            raise DataError(f"{path}: line {line}: emotion {label} is outside 0..6")
        if i_usage is None:
            usage.append(UNASSIGNED)
        else:
            code = USAGE_CODES.get(row[i_usage].strip())
            if code is None:
                raise DataError(
                    f"{path}: line {line}: Usage {row[i_usage]!r} is not one of "
                    f"{', '.join(USAGE_NAMES)}"
                )
            usage.append(code)
        labels.append(label)
        pixel_fields.append(row[i_pixels])
        lines.append(line)
    return labels, usage, pixel_fields, lines


def _parse_pixels(path: Path, fields: list[str], lines: list[int]) -> np.ndarray:
    """All rows' pixel fields at once; on any mismatch, find and name the first bad row."""
    values = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            values = np.fromstring(" ".join(fields), dtype=np.int32, sep=" ")
        except (ValueError, DeprecationWarning):
            values = None
    if (
        values is None
        or values.size != len(fields) * N_PIXELS
        or values.min() < 0
        or values.max() > 255
    ):
        _raise_first_bad_row(path, fields, lines)
    return values.astype(np.uint8).reshape(len(fields), IMAGE_SIZE, IMAGE_SIZE)


def _raise_first_bad_row(path: Path, fields: list[str], lines: list[int]) -> None:
    for line, field in zip(lines, fields, strict=True):
        tokens = field.split()
        if len(tokens) != N_PIXELS:
            raise DataError(
                f"{path}: line {line}: has {len(tokens)} pixel values, expected {N_PIXELS} (48x48)"
            )
        for token in tokens:
            if not token.isdigit():
                raise DataError(f"{path}: line {line}: pixel value {token!r} is not a number")
            if int(token) > 255:
                raise DataError(f"{path}: line {line}: pixel value {token} is outside 0..255")
    raise DataError(f"{path}: pixel values could not be parsed")
