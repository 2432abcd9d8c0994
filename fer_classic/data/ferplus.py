"""FER+ labels: ten taggers' votes per FER-2013 face, in place of FER-2013's own labels.

FER+ (Barsoum, Zhang, Canton Ferrer and Zhang, "Training Deep Networks for Facial
Expression Recognition with Crowd-Sourced Label Distribution", ICMI 2016) is
Microsoft's relabelling of FER-2013. Its ``fer2013new.csv`` holds no pixels: row *i*
gives, for the face in row *i* of the original Kaggle ``fer2013.csv``, the votes of 10
taggers over eight emotions (FER-2013's seven and ``contempt``), ``unknown`` and
``NF`` (not a face)::

    Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF
    Training,fer0000000.png,4,0,0,1,3,2,0,0,0,0

Rows with an empty ``Image name`` are faces FER+ left out (not faces).

Labelling, as the paper's majority scheme and Microsoft's FERPlus code define it:

1. A single vote for a class is an outlier and is set to 0.
2. The winner must hold more than half of the remaining votes (``unknown`` and ``NF``
   included), so a tie never wins. Faces without such a winner are dropped
   (``"no majority"``), and so are faces whose winner is ``unknown`` (``"unknown"``)
   or ``NF`` (``"not a face"``, as are rows without an image name).
3. A ``contempt`` winner is label 7 with ``extra_classes="keep"``; with ``"drop"``
   the face is dropped (``"contempt"``).

Schemes (:data:`FERPLUS_SCHEMES`):

``majority``
    Each kept face's winner as its hard label.
``distribution``
    The same faces and the same hard labels, so that both schemes share one test set,
    plus :attr:`~fer_classic.data.dataset.RawData.soft_labels`: each face's emotion
    votes after outlier removal, ``unknown`` and ``NF`` left out (and ``contempt``
    too when it is dropped), divided by their sum.

Alignment guard: FER+ matches faces by row position only, so joined with a copy of
FER-2013 in another row order it labels every face with a stranger's votes, silently.
The usage columns do not catch a copy shuffled within its splits. :func:`apply_ferplus`
therefore measures how often the FER+ majority agrees with FER-2013's own label and
refuses the pair when agreement is near chance (:data:`MIN_AGREEMENT`).
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, ParameterError
from .csv_loader import USAGE_CODES, USAGE_NAMES, open_text
from .dataset import RawData, hash_arrays
from .formats import FER2013_CSV
from .labels import CLASS_NAMES, CONTEMPT, canonical_class, check_extra_classes

#: FER+'s emotion columns, in file order.
FERPLUS_EMOTIONS: tuple[str, ...] = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    CONTEMPT,
)
UNKNOWN, NOT_A_FACE = "unknown", "NF"
#: All of FER+'s vote columns, in file order.
FERPLUS_COLUMNS: tuple[str, ...] = (*FERPLUS_EMOTIONS, UNKNOWN, NOT_A_FACE)
#: Each FER+ emotion column's class in FER-2013's names (:data:`CLASS_NAMES`, ``contempt``).
FERPLUS_CLASSES: dict[str, str] = {
    name: CONTEMPT if name == CONTEMPT else canonical_class(name) for name in FERPLUS_EMOTIONS
}
FERPLUS_SCHEMES = ("majority", "distribution")

#: Least fraction of faces whose FER+ majority is FER-2013's own label for the pair to
#: count as aligned. Shuffled pairs agree at chance level, the sum over classes of the
#: two label frequencies: 17.9 % on the shared copies, and at most about 0.25 for
#: FER-2013's class balance (happy, the largest class, is a quarter of the faces). An
#: aligned pair agrees far more: FER+'s taggers see the same faces FER-2013's labellers
#: did, and human accuracy against FER-2013's labels is 65 +- 5 % (Goodfellow et al.
#: 2013), so FER+'s relabelling changes a fair share of labels but keeps most. At the
#: smallest sample the guard judges (:data:`MIN_COMPARABLE_ROWS`), 0.4 lies about 3
#: binomial standard deviations below 65 % and above 18 %; on the ~30,000 comparable
#: rows of the full file, dozens.
MIN_AGREEMENT = 0.4
#: Fewer faces with a majority among FER-2013's classes than this leave the alignment
#: guard unjudged (too few to tell chance from agreement): it is skipped.
MIN_COMPARABLE_ROWS = 30

_REQUIRED = ("Usage", "Image name", *FERPLUS_COLUMNS)


@dataclass(frozen=True, eq=False)
class FERPlusVotes:
    """FER+'s label file, as read.

    Attributes
    ----------
    votes : ndarray of int64, shape (N, 10)
        Each row's votes, columns in :data:`FERPLUS_COLUMNS` order.
    usage : ndarray of int8, shape (N,)
        ``TRAIN``, ``VAL`` or ``TEST`` from ``Training``, ``PublicTest``, ``PrivateTest``.
    image_names : tuple of str, length N
        The ``Image name`` column; empty for faces FER+ left out.
    lines : ndarray of int64, shape (N,)
        The 1-based line of each row in the file.
    path : Path
    """

    votes: np.ndarray
    usage: np.ndarray
    image_names: tuple[str, ...]
    lines: np.ndarray
    path: Path


def _header_columns(path: Path, header: list[str] | None) -> dict[str, int]:
    if header is None:
        raise DataError(f"{path}: is empty")
    names = [h.strip() for h in header]
    missing = [c for c in _REQUIRED if c not in names]
    if missing:
        raise DataError(
            f"{path}: line 1: header lacks {', '.join(missing)}; expected FER+'s "
            f"'{','.join(_REQUIRED)}'"
        )
    return {name: names.index(name) for name in _REQUIRED}


def _vote(path: Path, line: int, column: str, field: str) -> int:
    text = field.strip()
    if not text.isdigit():
        raise DataError(
            f"{path}: line {line}: vote {field!r} for {column} is not a non-negative integer"
        )
    return int(text)


def read_ferplus_votes(path: str | Path) -> FERPlusVotes:
    """Read FER+'s ``fer2013new.csv``, plain or gzip-compressed.

    Columns are found by their header names, in any order.

    Raises
    ------
    DataError
        Naming the file and the 1-based line: an empty file, a header lacking a
        column, a row with too few fields, an unknown Usage, a vote that is not a
        non-negative integer, or no rows at all.
    """
    path = Path(path)
    votes: list[list[int]] = []
    usage: list[int] = []
    names: list[str] = []
    lines: list[int] = []
    try:
        with open_text(path) as f:
            reader = csv.reader(f)
            columns = _header_columns(path, next(reader, None))
            width = max(columns.values()) + 1
            vote_columns = [(name, columns[name]) for name in FERPLUS_COLUMNS]
            i_usage, i_name = columns["Usage"], columns["Image name"]
            for line, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) < width:
                    raise DataError(f"{path}: line {line}: has {len(row)} fields, expected {width}")
                code = USAGE_CODES.get(row[i_usage].strip())
                if code is None:
                    raise DataError(
                        f"{path}: line {line}: Usage {row[i_usage]!r} is not one of "
                        f"{', '.join(USAGE_NAMES)}"
                    )
                votes.append([_vote(path, line, name, row[i]) for name, i in vote_columns])
                usage.append(code)
                names.append(row[i_name].strip())
                lines.append(line)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot be read as a CSV file ({exc})") from None
    if not votes:
        raise DataError(f"{path}: holds a header but no rows")
    return FERPlusVotes(
        votes=np.asarray(votes, dtype=np.int64),
        usage=np.asarray(usage, dtype=np.int8),
        image_names=tuple(names),
        lines=np.asarray(lines, dtype=np.int64),
        path=path,
    )


def _check_parameters(scheme: str, extra_classes: str) -> None:
    if scheme not in FERPLUS_SCHEMES:
        raise ParameterError(
            "scheme", f"unknown {{name}} {scheme!r}; valid: {', '.join(FERPLUS_SCHEMES)}"
        )
    check_extra_classes(extra_classes)


def _check_rows(raw: RawData, ferplus: FERPlusVotes) -> None:
    path, n, m = ferplus.path, len(ferplus.usage), len(raw.labels)
    if n != m:
        raise DataError(
            f"{path}: has {n} label rows but {raw.source} has {m} image rows; "
            "FER+ labels the original fer2013.csv row by row"
        )
    differ = np.flatnonzero(ferplus.usage != raw.usage)
    if differ.size:
        i = int(differ[0])
        names = {code: name for name, code in USAGE_CODES.items()}
        raise DataError(
            f"{path}: line {ferplus.lines[i]}: Usage {names.get(int(ferplus.usage[i]))!r}, "
            f"but row {i + 1} of {raw.source} is {names.get(int(raw.usage[i]), 'unassigned')!r}; "
            "FER+ labels the original fer2013.csv row by row, in its published order"
        )


def _majority(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Votes with single votes zeroed, each row's winning column, and whether it wins."""
    cleaned = np.where(votes > 1, votes, 0)
    top = cleaned.max(axis=1)
    has_majority = 2 * top > cleaned.sum(axis=1)
    return cleaned, cleaned.argmax(axis=1), has_majority


def _check_alignment(raw: RawData, path: Path, labels: np.ndarray, comparable: np.ndarray) -> None:
    n = int(comparable.sum())
    if n < MIN_COMPARABLE_ROWS:
        return
    ours, theirs = labels[comparable], raw.labels[comparable]
    agreement = float(np.mean(ours == theirs))
    if agreement >= MIN_AGREEMENT:
        return
    k = len(CLASS_NAMES)
    chance = float(
        np.dot(np.bincount(ours, minlength=k)[:k], np.bincount(theirs, minlength=k)[:k]) / n**2
    )
    raise DataError(
        f"{path}: its majority labels agree with {raw.source}'s on only {100 * agreement:.1f} % "
        f"of the {n:,} rows compared (chance level: {100 * chance:.1f} %): FER+ labels "
        "fer2013.csv by row position, and this copy is in another row order; use the original "
        "Kaggle fer2013.csv (35,887 rows in its published order)"
    )


def apply_ferplus(
    raw: RawData,
    path: str | Path | FERPlusVotes,
    *,
    scheme: str = "majority",
    extra_classes: str = "drop",
) -> RawData:
    """FER-2013 with FER+'s labels in place of its own.

    Parameters
    ----------
    raw : RawData
        FER-2013 read from its original CSV (:func:`~fer_classic.data.csv_loader.read_fer_csv`).
    path : path or FERPlusVotes
        FER+'s ``fer2013new.csv``, or its votes already read (:func:`read_ferplus_votes`).
    scheme : {"majority", "distribution"}
        ``"distribution"`` also gives ``soft_labels``, float32 ``(N_kept, n_classes)``
        with columns in ``class_names`` order and rows summing to 1.
    extra_classes : {"drop", "keep"}
        Keep faces whose winner is ``contempt`` as label 7, or drop them.

    Returns
    -------
    RawData
        The kept faces' images, labels and usage; ``dropped`` counts the others by
        reason; ``soft_labels`` holds the vote distributions with ``"distribution"``.

    Raises
    ------
    ParameterError
        An unknown ``scheme`` or ``extra_classes``.
    DataError
        ``raw`` is not FER-2013's CSV; the label file cannot be read or has another
        number of rows or another Usage than ``raw``; or its majorities agree with
        ``raw``'s labels at no more than chance level (another row order).
    """
    _check_parameters(scheme, extra_classes)
    if raw.format != FER2013_CSV:
        raise DataError(
            f"{raw.source}: is a {raw.format} data set; FER+ labels a FER-2013 CSV "
            "(fer2013.csv) only"
        )
    ferplus = path if isinstance(path, FERPlusVotes) else read_ferplus_votes(path)
    _check_rows(raw, ferplus)

    cleaned, winner, has_majority = _majority(ferplus.votes)
    named = np.array([bool(name) for name in ferplus.image_names], dtype=bool)
    column = {name: i for i, name in enumerate(FERPLUS_COLUMNS)}
    reasons = {
        "not a face": ~named | (has_majority & (winner == column[NOT_A_FACE])),
        "no majority": named & ~has_majority,
        "unknown": named & has_majority & (winner == column[UNKNOWN]),
    }
    is_contempt = named & has_majority & (winner == column[CONTEMPT])
    keep_contempt = extra_classes == "keep" and bool(is_contempt.any())
    if not keep_contempt:
        reasons[CONTEMPT] = is_contempt
    class_names = (*CLASS_NAMES, CONTEMPT) if keep_contempt else CLASS_NAMES

    class_of_column = np.array(
        [class_names.index(FERPLUS_CLASSES[name]) for name in FERPLUS_EMOTIONS[:-1]]
        + [len(CLASS_NAMES) if keep_contempt else -1, -1, -1],
        dtype=np.int64,
    )
    labels = class_of_column[winner]
    left_out = np.logical_or.reduce(list(reasons.values()))
    kept = ~left_out
    _check_alignment(raw, ferplus.path, labels, kept & (labels >= 0) & (labels < len(CLASS_NAMES)))

    dropped = dict(raw.dropped)
    for reason, mask in reasons.items():
        if mask.any():
            dropped[reason] = dropped.get(reason, 0) + int(mask.sum())
    if extra_classes == "drop" and is_contempt.any():
        warnings.warn(
            f"{ferplus.path}: dropped {int(is_contempt.sum())} face(s) whose FER+ majority is "
            "contempt; keep them with extra_classes='keep' (--extra-classes keep)",
            stacklevel=2,
        )

    soft_labels = None
    if scheme == "distribution":
        emotion_votes = cleaned[kept][:, : len(FERPLUS_EMOTIONS)].astype(np.float64)
        soft = np.zeros((len(emotion_votes), len(class_names)), dtype=np.float64)
        for j, name in enumerate(FERPLUS_EMOTIONS):
            if FERPLUS_CLASSES[name] in class_names:
                soft[:, class_names.index(FERPLUS_CLASSES[name])] = emotion_votes[:, j]
        soft_labels = (soft / soft.sum(axis=1, keepdims=True)).astype(np.float32)

    return RawData(
        images=raw.images[kept],
        labels=labels[kept],
        usage=raw.usage[kept],
        source=raw.source,
        format=raw.format,
        fingerprint=hash_arrays(raw.fingerprint, ferplus.votes, named, scheme, extra_classes),
        usage_names=raw.usage_names,
        class_names=class_names,
        skipped=raw.skipped,
        dropped=dropped,
        soft_labels=soft_labels,
    )
