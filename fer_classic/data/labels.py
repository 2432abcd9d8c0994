"""The seven FER-2013 classes and how other data sets' folder names map onto them."""

from __future__ import annotations

#: FER-2013's classes, in the order of its ``emotion`` column (label 0..6).
CLASS_NAMES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

# Folder names used by CK+, JAFFE, KDEF, RAF-DB, AffectNet and FER-2013 copies.
_ALIASES: dict[str, str] = {
    "anger": "angry",
    "angry": "angry",
    "an": "angry",
    "disgust": "disgust",
    "disgusted": "disgust",
    "di": "disgust",
    "fear": "fear",
    "fearful": "fear",
    "afraid": "fear",
    "scared": "fear",
    "fe": "fear",
    "happy": "happy",
    "happiness": "happy",
    "joy": "happy",
    "ha": "happy",
    "sad": "sad",
    "sadness": "sad",
    "sa": "sad",
    "surprise": "surprise",
    "surprised": "surprise",
    "su": "surprise",
    "neutral": "neutral",
    "ne": "neutral",
}


def canonical_class(folder_name: str) -> str | None:
    """The FER-2013 class a folder name stands for, or None when it is none of the seven.

    Matching ignores case, surrounding spaces and a leading ``<digits>_`` or
    ``<digits>-`` prefix (``3_happy``); a bare digit 0..6 means FER-2013's label.
    """
    name = folder_name.strip().lower()
    if name.isdigit():
        index = int(name)
        return CLASS_NAMES[index] if index < len(CLASS_NAMES) else None
    head, sep, tail = name.partition("_") if "_" in name else name.partition("-")
    if sep and head.isdigit():
        name = tail
    return _ALIASES.get(name)
