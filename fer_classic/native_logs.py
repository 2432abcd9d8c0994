"""Native libraries' chatter on standard error, kept out of fer-classic's output.

TensorFlow's C++ code logs INFO and WARNING lines to the process's standard
error (``I0000 00:00:1796170770.925957  28661 port.cc:153] oneDNN custom
operations are on...``), its converter prints ``fully_quantize: 0, ...`` and the
TensorFlow Lite interpreter ``INFO: Created TensorFlow Lite XNNPACK delegate for
CPU.``: none of it says anything to the user of a command.

- :func:`quiet_tensorflow_logs`, called by the command line before TensorFlow is
  first imported, sets ``TF_CPP_MIN_LOG_LEVEL`` to 2 (errors only) unless the
  user set it, and filters the lines TensorFlow writes while it is imported,
  before it reads that setting.
- :func:`filtered_stderr` drops the lines a predicate names from what native
  code writes to file descriptor 2 while a block runs; every other line,
  errors included, is written as it came when the block ends.

OpenCV's log has a switch of its own: :func:`fer_classic.data.images.opencv_quiet`.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType

#: TensorFlow's minimum severity of C++ log lines: 0 INFO, 1 WARNING, 2 ERROR, 3 FATAL.
LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
#: The level set where the user set none: errors and fatal errors only.
DEFAULT_LOG_LEVEL = "2"

# A line of absl / TensorFlow's C++ log: severity letter, month and day, time (seconds since
# the epoch where absl was never set up), thread, file:line.
_LOG_LINE = re.compile(rb"^([IWEF])\d{4} [\d:.]+ +\d+ [^ \]]+:\d+\] ")
_SEVERITIES = b"IWEF"
# What absl writes once, before its first line, in a process that never set up its log.
_ABSL_PREAMBLE = b"WARNING: All log messages before absl::InitializeLog() is called"


def quiet_tensorflow_logs() -> None:
    """Keep TensorFlow's native INFO and WARNING lines off standard error from now on.

    Sets ``TF_CPP_MIN_LOG_LEVEL`` to 2 unless it is set already, and filters what
    is written to standard error while ``tensorflow`` is first imported: lines of
    its C++ log below that level are dropped, every other line is kept. Does
    nothing to a TensorFlow already imported.
    """
    os.environ.setdefault(LOG_LEVEL_VARIABLE, DEFAULT_LOG_LEVEL)
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietImport) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietImport())


def _min_severity() -> int:
    """The index in ``IWEF`` of the least severity shown; 0 shows every line."""
    try:
        return max(0, min(3, int(os.environ.get(LOG_LEVEL_VARIABLE, "0"))))
    except ValueError:
        return 0


def _hidden(line: bytes, min_severity: int) -> bool:
    """Whether ``line`` is a native log line below ``min_severity``."""
    if min_severity > 0 and line.startswith(_ABSL_PREAMBLE):
        return True
    match = _LOG_LINE.match(line)
    return match is not None and _SEVERITIES.index(match.group(1)) < min_severity


def _below_log_level(line: bytes) -> bool:
    """Whether ``line`` is a native log line below the level of ``TF_CPP_MIN_LOG_LEVEL``."""
    return _hidden(line, _min_severity())


@contextlib.contextmanager
def filtered_stderr(hidden: Callable[[bytes], bool] = _below_log_level) -> Iterator[None]:
    """Hold what is written to file descriptor 2 meanwhile; write it back without hidden lines.

    Parameters
    ----------
    hidden : callable
        Takes one line (bytes, with its line end) and says whether to drop it;
        by default, native log lines below ``TF_CPP_MIN_LOG_LEVEL``.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no standard error to filter
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            kept = [line for line in held.read().splitlines(True) if not hidden(line)]
            if kept:
                os.write(2, b"".join(kept))


class _QuietImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as the path finder does, to run its import under a filter."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return None  # left to the other finders
        spec.loader = _QuietLoader(spec.loader, self)
        return spec


class _QuietLoader(importlib.abc.Loader):
    """Runs another loader's module under :func:`filtered_stderr`, once."""

    def __init__(self, loader: importlib.abc.Loader, finder: _QuietImport) -> None:
        self.loader = loader
        self.finder = finder

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with contextlib.suppress(ValueError):  # the first import is the one that logs
            sys.meta_path.remove(self.finder)
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        with filtered_stderr():
            self.loader.exec_module(module)
