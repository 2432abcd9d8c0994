"""The inputs of ``fer-classic predict``: image files, folders of images, video files."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..data.images import IMAGE_SUFFIXES
from ..errors import DataError

#: File endings read as videos (lower case).
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv"}
)


@dataclass(frozen=True)
class Source:
    """One input file and how it is read: ``kind`` is ``"image"`` or ``"video"``."""

    path: Path
    kind: str


def collect_sources(paths: Iterable[str | os.PathLike[str]]) -> list[Source]:
    """The images and videos that ``paths`` name, in the order given.

    A folder stands for the images and videos directly inside it (not its
    subfolders), sorted by name, hidden files left out; what it leaves out is
    counted in one warning. A file is an image or a video by its ending; a file
    given by name with another ending is read as an image.

    Raises
    ------
    DataError
        A path does not exist, or a folder holds no image or video.
    """
    sources: list[Source] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            found, skipped = [], {"sub-folder": 0, "hidden file": 0, "other file": 0}
            for child in sorted(path.iterdir()):
                if child.is_dir():
                    skipped["sub-folder"] += 1
                elif child.name.startswith("."):
                    skipped["hidden file"] += 1
                elif child.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES:
                    found.append(Source(child, _kind(child)))
                else:
                    skipped["other file"] += 1
            if not found:
                raise DataError(f"{path}: folder holds no image or video")
            left_out = [f"{n} {what}{'s' if n > 1 else ''}" for what, n in skipped.items() if n]
            if left_out:
                warnings.warn(
                    f"{path}: left out {', '.join(left_out)} (a folder stands for the images "
                    "and videos directly inside it)",
                    stacklevel=2,
                )
            sources.extend(found)
        elif path.is_file():
            sources.append(Source(path, _kind(path)))
        else:
            raise DataError(f"{path}: no such file or directory")
    return sources


def _kind(path: Path) -> str:
    return "video" if path.suffix.lower() in VIDEO_SUFFIXES else "image"
