"""Entry point of ``fer-classic``: builds the parser and turns user errors into one line."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn

from .. import __version__
from ..errors import FerClassicError, ParameterError
from ..native_logs import quiet_tensorflow_logs
from . import compare as compare_cmd
from . import data as data_cmd
from . import evaluate as evaluate_cmd
from . import grid_search as grid_search_cmd
from . import mirror as mirror_cmd
from . import predict as predict_cmd
from . import train_cnn as train_cnn_cmd

# Each module registers one subcommand; the order here is the order in --help.
COMMANDS = (
    data_cmd,
    grid_search_cmd,
    train_cnn_cmd,
    evaluate_cmd,
    compare_cmd,
    predict_cmd,
    mirror_cmd,
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with one subparser per command."""
    parser = _Parser(
        prog="fer-classic",
        description=(
            "Classical facial-expression-recognition baselines against a small CNN, "
            "on the same data and splits."
        ),
    )
    parser.add_argument("--version", action="version", version=f"fer-classic {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error, 130 interrupted)."""
    quiet_tensorflow_logs()  # before any command imports TensorFlow
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(args.func(args) or 0)
    except ParameterError as exc:
        print(f"fer-classic: error: {exc.for_option()}", file=sys.stderr)
        return 2
    except FerClassicError as exc:
        print(f"fer-classic: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fer-classic: interrupted; what was finished is saved", file=sys.stderr)
        return 130


def _show_warning(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    """A warning as one line for the command-line user, without source path or line."""
    print(f"fer-classic: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
