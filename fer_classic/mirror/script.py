"""A script to rehearse against: when each emotion is meant to be shown.

A script is a list of cues, each a time interval of a take and the emotion
intended during it. Times are seconds from the start of the take (the page's
*Start take* button); cues are in time order and do not overlap (one may start
where the one before ends); times outside every cue are not scored.

Two file formats, told apart by the file's ending:

``.csv``
    A header ``start,end,emotion`` (any order of those three columns, no others),
    then one row per cue::

        start,end,emotion
        0,4,neutral
        4,8.5,happy
        10,14,surprise

``.json``
    A list of objects with the keys ``start``, ``end`` and ``emotion`` (numbers
    of seconds and a name), or an object whose ``"script"`` key holds that list::

        [{"start": 0, "end": 4, "emotion": "neutral"},
         {"start": 4, "end": 8.5, "emotion": "happy"}]

Emotions are matched to the model's class names as the data loaders match
folder names (:func:`fer_classic.data.labels.canonical_class`: case and spaces
ignored, ``happiness``, ``anger``, ``surprised`` ... accepted), and must be one of
the model's classes.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.labels import CONTEMPT, canonical_class
from ..errors import FerClassicError

#: The columns of a CSV script and the keys of a JSON script's entries.
SCRIPT_FIELDS = ("start", "end", "emotion")

#: File endings of the script formats.
SCRIPT_SUFFIXES = (".csv", ".json")


class ScriptError(FerClassicError, ValueError):
    """A script file cannot be read: its format, a time or an emotion of one row."""


@dataclass(frozen=True)
class Cue:
    """One interval of a script.

    Attributes
    ----------
    start, end : float
        Seconds from the start of the take; ``end > start >= 0``.
    emotion : str
        One of the model's class names.
    """

    start: float
    end: float
    emotion: str

    def to_dict(self) -> dict[str, Any]:
        """``{"start": ..., "end": ..., "emotion": ...}``, as a JSON script holds it."""
        return {"start": self.start, "end": self.end, "emotion": self.emotion}


def match_emotion(name: str, class_names: Sequence[str]) -> str | None:
    """The class of ``class_names`` that an emotion's name stands for, or None.

    A name equal to a class name (ignoring case and surrounding spaces) is that
    class; any other is read by :func:`~fer_classic.data.labels.canonical_class`
    (``happiness`` is ``happy``), or is ``contempt``.
    """
    text = name.strip().lower()
    by_lower = {c.lower(): c for c in class_names}
    if text in by_lower:
        return by_lower[text]
    canonical = CONTEMPT if text == CONTEMPT else canonical_class(text)
    return canonical if canonical in class_names else None


def read_script(path: str | os.PathLike[str], class_names: Sequence[str]) -> tuple[Cue, ...]:
    """Read a script file (see the module docstring for its two formats).

    Parameters
    ----------
    path : path
        A ``.csv`` or ``.json`` file.
    class_names : sequence of str
        The model's classes, which the emotions must name.

    Returns
    -------
    tuple of Cue
        In time order, at least one.

    Raises
    ------
    ScriptError
        One line naming the file and the row (``line 3`` of a CSV file, counting
        the header as line 1; ``entry 2`` of a JSON list, counting from 1): a
        missing file, an unknown ending, a bad header or JSON layout, a time that
        is not a number of seconds >= 0, an end not after its start, rows out of
        time order or overlapping, an emotion that is none of the model's classes.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SCRIPT_SUFFIXES:
        raise ScriptError(
            f"{path}: a script is a .csv or .json file of start, end and emotion "
            f"(got {path.suffix or 'no ending'!r})"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScriptError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot be read ({exc})") from None
    rows = _csv_rows(path, text) if suffix == ".csv" else _json_rows(path, text)
    return _check_cues(path, rows, class_names)


def _csv_rows(path: Path, text: str) -> list[tuple[str, dict[str, Any]]]:
    """``(where, {start, end, emotion})`` of each row of a CSV script."""
    try:
        lines = [(n, row) for n, row in enumerate(csv.reader(text.splitlines()), 1) if row]
    except csv.Error as exc:
        raise ScriptError(f"{path}: not a readable CSV file ({exc})") from None
    if not lines:
        raise ScriptError(f"{path}: is empty; expected a header {','.join(SCRIPT_FIELDS)}")
    header_line, header = lines[0]
    columns = [h.strip().lower() for h in header]
    if sorted(columns) != sorted(SCRIPT_FIELDS):
        raise ScriptError(
            f"{path}: line {header_line}: the header must be {','.join(SCRIPT_FIELDS)}, "
            f"got {','.join(header)!r}"
        )
    if len(lines) == 1:
        raise ScriptError(f"{path}: holds a header but no cues")
    rows = []
    for n, row in lines[1:]:
        if len(row) != len(columns):
            raise ScriptError(
                f"{path}: line {n}: has {len(row)} fields, expected {len(columns)} "
                f"({','.join(columns)})"
            )
        rows.append((f"line {n}", dict(zip(columns, row, strict=True))))
    return rows


def _json_rows(path: Path, text: str) -> list[tuple[str, dict[str, Any]]]:
    """``(where, {start, end, emotion})`` of each entry of a JSON script."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(
            f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    if isinstance(data, dict) and set(data) == {"script"}:
        data = data["script"]
    if not isinstance(data, list):
        raise ScriptError(
            f"{path}: must hold a list of {{start, end, emotion}} objects, or an object "
            f'with that list under "script"; got a JSON {_json_type(data)}'
        )
    if not data:
        raise ScriptError(f"{path}: holds no cues")
    rows = []
    for n, entry in enumerate(data, 1):
        where = f"entry {n}"
        if not isinstance(entry, dict):
            raise ScriptError(
                f"{path}: {where}: is a JSON {_json_type(entry)}, not an object with "
                f"{', '.join(SCRIPT_FIELDS)}"
            )
        unknown = [k for k in entry if k not in SCRIPT_FIELDS]
        missing = [k for k in SCRIPT_FIELDS if k not in entry]
        if unknown or missing:
            problem = f"unknown key {unknown[0]!r}" if unknown else f"no {missing[0]!r}"
            raise ScriptError(
                f"{path}: {where}: {problem}; each entry has exactly the keys "
                f"{', '.join(SCRIPT_FIELDS)}"
            )
        rows.append((where, entry))
    return rows


def _check_cues(
    path: Path, rows: Iterable[tuple[str, dict[str, Any]]], class_names: Sequence[str]
) -> tuple[Cue, ...]:
    cues: list[Cue] = []
    wheres: list[str] = []
    for where, row in rows:
        start = _seconds(path, where, "start", row["start"])
        end = _seconds(path, where, "end", row["end"])
        if not end > start:
            raise ScriptError(f"{path}: {where}: end {end:g} s is not after start {start:g} s")
        emotion = _emotion(path, where, row["emotion"], class_names)
        if cues and start < cues[-1].start:
            raise ScriptError(
                f"{path}: {where}: starts at {start:g} s, before {wheres[-1]} "
                f"(at {cues[-1].start:g} s); list the cues in time order"
            )
        if cues and start < cues[-1].end:
            raise ScriptError(
                f"{path}: {where}: starts at {start:g} s, before {wheres[-1]} ends "
                f"(at {cues[-1].end:g} s); cues must not overlap"
            )
        cues.append(Cue(start, end, emotion))
        wheres.append(where)
    return tuple(cues)


def _seconds(path: Path, where: str, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        seconds = math.nan
    else:
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0) or (
        isinstance(value, str) and not value.strip()
    ):
        raise ScriptError(f"{path}: {where}: {field} {value!r} is not a number of seconds >= 0")
    return seconds


def _emotion(path: Path, where: str, value: Any, class_names: Sequence[str]) -> str:
    emotion = match_emotion(value, class_names) if isinstance(value, str) else None
    if emotion is None:
        raise ScriptError(
            f"{path}: {where}: unknown emotion {value!r}; the model's classes are "
            f"{', '.join(class_names)}"
        )
    return emotion


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")
