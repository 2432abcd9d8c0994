"""The inputs of ``fer-classic predict``: image files, folders of images, video files."""

from __future__ import annotations

import os
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
    subfolders), sorted by name, hidden files left out. A file is an image or a
    video by its ending; a file given by name with another ending is read as an
    image.

    Raises
    ------
    DataError
        A path does not exist, or a folder holds no image or video.
    """
    sources: list[Source] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            found = [
                Source(child, _kind(child))
                for child in sorted(path.iterdir())
                if child.is_file()
                and not child.name.startswith(".")
                and child.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES
            ]
            if not found:
                raise DataError(f"{path}: folder holds no image or video")
            sources.extend(found)
        elif path.is_file():
            sources.append(Source(path, _kind(path)))
        else:
            raise DataError(f"{path}: no such file or directory")
    return sources


def _kind(path: Path) -> str:
    return "video" if path.suffix.lower() in VIDEO_SUFFIXES else "image"
