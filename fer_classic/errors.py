"""Errors that reach the user as one line.

Library code raises :class:`FerClassicError` (or a subclass) for anything the user
can fix: a missing file, a malformed row, an unknown option value. The command line
catches exactly these at its boundary, prints ``fer-classic: error: <message>`` and
exits with status 2. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class FerClassicError(Exception):
    """A problem with the user's input, described in one line."""


class DataError(FerClassicError, ValueError):
    """The data set cannot be read: wrong path, layout, header, row or image."""


class RunError(FerClassicError):
    """A run directory is missing, partial, or of another configuration."""
