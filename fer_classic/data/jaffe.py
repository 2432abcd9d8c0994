"""JAFFE, the Japanese Female Facial Expression set, as distributed: one flat folder.

Layout::

    ROOT/KA.AN1.39.tiff
    ROOT/KA.AN2.40.tiff
    ...
    ROOT/YM.SU3.60.tiff

213 grey 256x256 TIFF files (some copies end in ``.tif``), read as 48x48 grey
(area interpolation). Each name is ``POSER.XXn.m.tiff``: the poser's initials (two
letters), the expression's two-letter code with the sample number ``n``, and the
picture number ``m``; the pattern is :data:`NAME_PATTERN`. The codes are mapped by
:func:`fer_classic.data.labels.canonical_class`: ``AN`` angry, ``DI`` disgust,
``FE`` fear, ``HA`` happy, ``SA`` sad, ``SU`` surprise, ``NE`` neutral. JAFFE has
no class outside FER-2013's seven, so ``extra_classes`` changes nothing.

Recognition: ``ROOT`` has no subdirectories and at least one of its image files
(:data:`~fer_classic.data.images.IMAGE_SUFFIXES`) is named in the JAFFE pattern.
Hidden files (``.DS_Store``, ``._KA.AN1.39.tiff``) and files that are not images
(``README``) are ignored. Any other image file in such a folder is an error that
names it: a flat folder is no layout of any other reader, and skipping it in
silence would hide a broken or mixed copy.

JAFFE defines no split: every image is ``UNASSIGNED``, and the split layer makes a
stratified one.

Caveat: the poser (the name's first two letters) is known but not recorded in
:class:`~fer_classic.data.dataset.RawData`. Ten women pose every expression, so a
stratified split puts the same person in train and test, and test scores measure
recognition of faces already seen, not person-independent accuracy.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from ..errors import DataError
from .dataset import UNASSIGNED, RawData
from .folders import listing_fingerprint
from .images import IMAGE_SUFFIXES, read_image_files, skipped_message
from .labels import CLASS_NAMES, canonical_class, check_extra_classes

#: The format name ``data info`` and manifests give JAFFE.
FORMAT = "jaffe"

#: A JAFFE file name: poser, expression code with sample number, picture number.
NAME_PATTERN = re.compile(r"^([A-Z]{2})\.([A-Z]{2})\d*\.\d+\.(?i:tiff?)$")

#: JAFFE's expression codes: the first two letters of FER-2013's class names,
#: which :func:`~fer_classic.data.labels.canonical_class` maps to those classes.
CODES: tuple[str, ...] = tuple(sorted(name[:2].upper() for name in CLASS_NAMES))


def _image_files(root: Path) -> list[Path]:
    """The visible image files directly in ``root``, sorted by name."""
    return sorted(
        p
        for p in root.iterdir()
        if not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
    )


def detect(root: Path) -> bool:
    """Whether ``root`` is a flat folder with at least one JAFFE-named image file."""
    root = Path(root)
    if not root.is_dir():
        return False
    entries = [p for p in root.iterdir() if not p.name.startswith(".")]
    if any(p.is_dir() for p in entries):
        return False
    return any(NAME_PATTERN.match(p.name) for p in _image_files(root))


def fingerprint(root: Path) -> str:
    """Changes when any image file's name (hence label), size or time does."""
    return listing_fingerprint(Path(root))


def _label_of(path: Path) -> int:
    """The FER-2013 label a JAFFE file name stands for."""
    match = NAME_PATTERN.match(path.name)
    if match is None:
        raise DataError(
            f"{path}: not a JAFFE file name; expected POSER.XXn.m.tiff such as KA.AN1.39.tiff"
        )
    code = match.group(2)
    name = canonical_class(code)
    if name is None:
        raise DataError(
            f"{path}: unknown expression code {code!r}; valid codes: {', '.join(CODES)}"
        )
    return CLASS_NAMES.index(name)


def read(root: Path, *, extra_classes: str = "drop", strict: bool = False) -> RawData:
    """Read JAFFE's flat folder as uint8 48x48 grey images with FER-2013 labels.

    Parameters
    ----------
    root : path
        The folder of JAFFE's TIFF files.
    extra_classes : {"drop", "keep"}
        Accepted for the common reader interface; JAFFE has only FER-2013's seven
        classes.
    strict : bool
        Raise on the first unreadable image instead of skipping it with a warning.

    Returns
    -------
    RawData
        Images in file-name order; ``usage`` is ``UNASSIGNED`` throughout.

    Raises
    ------
    DataError
        Naming the file: an image file whose name breaks the JAFFE pattern, an
        unknown expression code; also a folder with no images, or (with
        ``strict``) an unreadable image.
    """
    root = Path(root)
    check_extra_classes(extra_classes)
    if not root.is_dir():
        raise DataError(f"{root}: not a directory")
    files = _image_files(root)
    if not files:
        raise DataError(f"{root}: holds no JAFFE images (names such as KA.AN1.39.tiff)")
    labels = [_label_of(path) for path in files]
    images, ok = read_image_files(files, strict=strict)
    message = skipped_message(root, files, ok)
    if message:
        warnings.warn(message, stacklevel=2)
    usage = np.full(len(labels), UNASSIGNED, dtype=np.int8)
    return RawData.from_decoded(images, labels, usage, ok, source=str(root), format=FORMAT)
