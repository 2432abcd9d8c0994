"""Errors that reach the user as one line.

Library code raises :class:`FerClassicError` (or a subclass) for anything the user
can fix: a missing file, a malformed row, an unknown option value. The command line
catches exactly these at its boundary, prints ``fer-classic: error: <message>`` and
exits with status 2. Any other exception is a bug and keeps its traceback.

A bad value of a library parameter is a :class:`ParameterError`: in the library its
message names the parameter (``n_jobs``), on the command line the option
(``--n-jobs``, :meth:`ParameterError.for_option`).
"""

from __future__ import annotations


class FerClassicError(Exception):
    """A problem with the user's input, described in one line."""


class DataError(FerClassicError, ValueError):
    """The data set cannot be read: wrong path, layout, header, row or image."""


class RunError(FerClassicError):
    """A run directory is missing, partial, or of another configuration."""


class ParameterError(FerClassicError, ValueError):
    """A parameter has a value the function cannot take.

    Parameters
    ----------
    parameter : str
        The parameter's name (``"search"``); the command line's option is the same
        name with dashes (``--search``).
    message : str
        The problem, with ``{name}`` where the parameter's or option's name goes:
        ``"unknown {name} 'random'; valid: grid, halving"``.
    """

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        self.template = message
        super().__init__(message.format(name=parameter))

    def for_option(self, option: str | None = None) -> str:
        """The message with the command-line option's name (default ``--<parameter>``)."""
        return self.template.format(name=option or "--" + self.parameter.replace("_", "-"))
