"""The data-set layouts fer-classic reads, and which one a path is.

Every layout is one :class:`DataFormat`: how to recognise it, how to fingerprint
it cheaply for the cache, and how to read it. A directory is tried against
:data:`DIRECTORY_FORMATS` in order; the first that recognises it reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from . import affectnet, folders, jaffe, rafdb
from .dataset import RawData

#: The format name of FER-2013's CSV file, the one file (not directory) format.
FER2013_CSV = "fer2013-csv"

#: The format name of image folders: ``root/<class>/`` and its split variants.
FOLDERS = "folders"


@dataclass(frozen=True)
class DataFormat:
    """One directory layout.

    Parameters
    ----------
    name : str
        What ``data info`` and manifests call it.
    detect : callable
        ``detect(root) -> bool``: whether ``root`` is in this layout; cheap (no
        image is decoded).
    fingerprint : callable
        ``fingerprint(root) -> str``: changes whenever the files change; the cache key.
    read : callable
        ``read(root, *, extra_classes, strict) -> RawData``; raises
        :class:`~fer_classic.errors.DataError` naming the file (and row) at fault.
    """

    name: str
    detect: Callable[[Path], bool]
    fingerprint: Callable[[Path], str]
    read: Callable[..., RawData]


#: Directory layouts, most specific first: image folders take any directory.
DIRECTORY_FORMATS: tuple[DataFormat, ...] = (
    DataFormat(rafdb.FORMAT, rafdb.detect, rafdb.fingerprint, rafdb.read),
    DataFormat(affectnet.FORMAT, affectnet.detect, affectnet.fingerprint, affectnet.read),
    DataFormat(jaffe.FORMAT, jaffe.detect, jaffe.fingerprint, jaffe.read),
    DataFormat(FOLDERS, lambda root: True, folders.listing_fingerprint, folders.read_image_folders),
)


def detect_format(path: str | Path) -> str:
    """The format of a data path: ``fer2013-csv`` for a (gzip) CSV file, else a
    :data:`DIRECTORY_FORMATS` name.

    Raises :class:`DataError` for a missing path or another kind of file.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or directory")
    if path.is_dir():
        return directory_format(path).name
    if path.name.lower().endswith((".csv", ".csv.gz")):
        return FER2013_CSV
    raise DataError(
        f"{path}: unknown data format; expected fer2013.csv, fer2013.csv.gz or a directory "
        "(image folders, RAF-DB, AffectNet or JAFFE)"
    )


def directory_format(root: Path) -> DataFormat:
    """The first :data:`DIRECTORY_FORMATS` entry that recognises ``root``."""
    return next(fmt for fmt in DIRECTORY_FORMATS if fmt.detect(root))
