"""What the registries of extractors and classifiers share: the name rule and entry points.

A plug-in is registered by name, by one call in Python
(:func:`fer_classic.features.register_extractor`,
:func:`fer_classic.classical.register_classifier`) or by an installed package
through an entry-point group (``fer_classic.features``, ``fer_classic.classifiers``)
whose entries are ``name = "package.module:object"``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Container
from importlib import metadata
from typing import Any

#: What a plug-in's name may hold: a letter, then letters, digits, ``_`` and ``-``;
#: the command line joins names with ``,`` and ``+``.
NAME_PATTERN = r"[A-Za-z][A-Za-z0-9_-]*"


def check_new_name(name: object, taken: Container[str], kind: str) -> str:
    """Return ``name`` if it is well formed and not in ``taken``.

    Parameters
    ----------
    name : str
        The name to register.
    taken : container of str
        The names registered already.
    kind : str
        What is registered (``"extractor"``), for the messages.

    Raises
    ------
    ValueError
        The name is malformed or taken.
    """
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        raise ValueError(f"{kind} name {name!r}: use letters, digits, '_' and '-'")
    if name in taken:
        raise ValueError(f"{kind} {name!r} is registered already")
    return name


def register_entry_points(group: str, register: Callable[[str, Any], object]) -> None:
    """Call ``register(name, object)`` for each entry point of ``group``.

    An entry point that cannot be loaded or registered is skipped with a
    ``UserWarning`` naming it: a broken third-party package does not stop
    fer-classic.
    """
    for entry in metadata.entry_points(group=group):
        try:
            register(entry.name, entry.load())
        except Exception as exc:  # a third-party package: report, do not stop
            warnings.warn(
                f"entry point {entry.name} = {entry.value} of {group}: "
                f"not registered ({type(exc).__name__}: {exc})",
                stacklevel=3,
            )
