"""The seven FER-2013 classes and how other data sets' folder names map onto them."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParameterError

#: FER-2013's classes, in the order of its ``emotion`` column (label 0..6).
CLASS_NAMES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

#: The class some data sets (FER+, AffectNet, CK+) add to FER-2013's seven; kept as
#: label 7 with ``extra_classes="keep"``, else its images are dropped and counted.
CONTEMPT = "contempt"

#: What readers do with classes outside FER-2013's seven: drop their images, or keep
#: them as labels 7, 8, ...
EXTRA_CLASSES = ("drop", "keep")


def check_extra_classes(extra_classes: str) -> str:
    """Return ``extra_classes`` if it is one of :data:`EXTRA_CLASSES`, else raise
    :class:`~fer_classic.errors.ParameterError`."""
    if extra_classes not in EXTRA_CLASSES:
        raise ParameterError(
            "extra_classes",
            f"unknown {{name}} {extra_classes!r}; choose from {', '.join(EXTRA_CLASSES)}",
        )
    return extra_classes


@dataclass(frozen=True)
class ClassOrder:
    """What the numbers of a numbered labelling mean.

    Parameters
    ----------
    first : int
        The number of the first class (RAF-DB counts from 1).
    names : tuple of str
        The class of each number from ``first`` on, in FER-2013's names
        (:data:`CLASS_NAMES`, or :data:`CONTEMPT`).
    """

    first: int
    names: tuple[str, ...]

    def name_of(self, number: int) -> str | None:
        """The class of ``number``, or None outside the order."""
        index = number - self.first
        return self.names[index] if 0 <= index < len(self.names) else None

    @property
    def numbers(self) -> range:
        return range(self.first, self.first + len(self.names))

    def __str__(self) -> str:
        """The order as :func:`parse_class_order` reads it: ``first:name,name,...``."""
        return f"{self.first}:{','.join(self.names)}"


#: The numbered class orders of the data sets fer-classic reads, by name.
CLASS_ORDERS: dict[str, ClassOrder] = {
    "fer2013": ClassOrder(0, CLASS_NAMES),
    # RAF-DB's list_patition_label.txt: 1 surprise ... 7 neutral.
    "rafdb": ClassOrder(1, ("surprise", "fear", "disgust", "happy", "sad", "angry", "neutral")),
    # AffectNet's expression codes 0..7; 8 none, 9 uncertain and 10 no face are no class.
    "affectnet": ClassOrder(
        0, ("neutral", "happy", "sad", "surprise", "fear", "disgust", "angry", CONTEMPT)
    ),
}

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


def parse_class_order(text: str) -> ClassOrder:
    """A class order by name (a :data:`CLASS_ORDERS` key) or as its class names.

    Parameters
    ----------
    text : str
        ``fer2013``, ``rafdb`` or ``affectnet``; or comma-separated class names for
        the numbers 0, 1, 2, ..., optionally after a first number and a colon
        (``1:surprise,fear,disgust,happy,sad,angry,neutral``). Names may be any
        spelling :func:`canonical_class` knows, or ``contempt``.

    Raises
    ------
    ParameterError
        For ``class_order``: an unknown order, an unknown or repeated class name.
    """
    text = text.strip()
    if text.lower() in CLASS_ORDERS:
        return CLASS_ORDERS[text.lower()]
    head, colon, tail = text.partition(":")
    first, names_text = (head, tail) if colon else ("0", text)
    if not first.strip().isdigit():
        raise ParameterError(
            "class_order", f"{{name}} {text!r}: {first!r} before ':' is not a first number"
        )
    names = []
    for token in names_text.split(","):
        name = CONTEMPT if token.strip().lower() == CONTEMPT else canonical_class(token)
        if name is None or not token.strip():
            raise ParameterError(
                "class_order",
                f"{{name}} {text!r}: {token.strip()!r} is no class; give one of "
                f"{', '.join(CLASS_ORDERS)} or class names such as {','.join(CLASS_NAMES)}",
            )
        if name in names:
            raise ParameterError("class_order", f"{{name}} {text!r}: {name} appears twice")
        names.append(name)
    return ClassOrder(int(first), tuple(names))
