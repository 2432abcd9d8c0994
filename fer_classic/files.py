"""Files written so that readers see the old or the new content, never half of it.

- :func:`atomic_path`, :func:`write_text_atomic`, :func:`write_json_atomic`: a
  temporary file beside the target, then :func:`os.replace`; a write that fails
  (a full disk, a folder that cannot be written) is a :class:`RunError` naming the
  file, and leaves the target as it was.
- :func:`append_jsonl`, :func:`read_jsonl`: append-only JSON-lines logs, one whole
  line per record, flushed and synced; a torn last line is dropped.
- :func:`read_json`: a JSON file, as a :class:`RunError` naming it when bad.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import RunError

#: Marks the temporary files of :func:`atomic_path`: ``.<stem>.tmp-<random><suffix>``.
TEMPORARY_MARK = ".tmp-"


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` on success.

    Use for writers that want a file name (``joblib.dump``, ``model.save``,
    ``fig.savefig``); the temporary path keeps ``path``'s suffix. On an exception
    the temporary file is removed and ``path`` is left as it was.

    Raises
    ------
    RunError
        The file cannot be written (its folder is a file or not writable, the disk
        is full, ``path`` is a folder): the message names ``path`` and the error.
    """
    path = Path(path)
    tmp_path = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.stem}{TEMPORARY_MARK}", suffix=path.suffix
        )
        os.close(fd)
        tmp_path = Path(tmp)
        yield tmp_path
        if tmp_path.exists():
            os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; use the usual mode
        os.replace(tmp_path, path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        code = f" [{errno.errorcode[exc.errno]}]" if exc.errno in errno.errorcode else ""
        raise RunError(f"{path}: cannot be written: {reason}{code}") from None
    finally:
        if tmp_path is not None and tmp_path.exists():
            tmp_path.unlink()


def check_writable_dir(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` is, or can be created as, a folder this process may write.

    Nothing is created. Returns ``path``.

    Raises
    ------
    RunError
        ``path`` (or the nearest of its parents that exists) is a file, or is not
        writable; the message names it.
    """
    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "" if existing == path else f" ({existing} is a file)"
        raise RunError(f"{path}: not a folder{where}")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == path else f" ({existing} is not writable)"
        raise RunError(f"{path}: cannot be written{where}: permission denied")
    return path


def check_writable_file(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be written as a file (not a folder; its folder writable)."""
    path = Path(path)
    if path.is_dir():
        raise RunError(f"{path}: is a folder; name a file")
    check_writable_dir(path.parent)
    return path


#: Age after which a temporary file in a shared folder (a cache) counts as left by a
#: dead writer: far longer than any single write takes.
STALE_SECONDS = 3600.0


def remove_temporary_files(
    folder: str | os.PathLike[str], *, older_than: float = 0.0
) -> list[Path]:
    """Remove what interrupted writers of :func:`atomic_path` left in ``folder``.

    Parameters
    ----------
    folder : path-like
    older_than : float
        Only files (and temporary folders) last modified this many seconds ago or
        earlier: 0 where no other process writes there (under a run lock),
        :data:`STALE_SECONDS` in a shared cache.

    Returns
    -------
    list of Path
        What was removed.
    """
    import shutil
    import time

    removed = []
    now = time.time()
    for leftover in Path(folder).glob(f".*{TEMPORARY_MARK}*"):
        try:
            if now - leftover.stat().st_mtime < older_than:
                continue
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
        except OSError:
            continue  # gone already, or another process's
        removed.append(leftover)
    return removed


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=True, default=json_default) + "\n")


def append_jsonl(path: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    """Append one JSON record as one line, flushed to disk before returning.

    A torn last line (what a kill during an append leaves) is cut off first, with
    a warning, so that the record starts a line of its own.
    """
    line = json.dumps(record, sort_keys=True, default=json_default)
    path = Path(path)
    with open(path, "a+b") as f:
        _drop_torn_tail(f, path)
        f.write(line.encode("utf-8") + b"\n")
        f.flush()
        os.fsync(f.fileno())


def read_jsonl(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read the records of a JSON-lines file.

    A torn last line (no newline: an interrupted append) is not a record and is
    skipped; :func:`append_jsonl` drops it before the next record.

    Raises
    ------
    RunError
        A complete line is not a JSON object; the message names the file and line.
    """
    path = Path(path)
    if not path.exists():
        return []
    records = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.endswith("\n"):
                break  # torn write from an interrupt: not a record
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RunError(
                    f"{path}: line {number} is not a JSON record ({exc.msg}); "
                    "remove that line or start over with --force"
                ) from None
            if not isinstance(record, dict):
                raise RunError(f"{path}: line {number} is not a JSON record")
            records.append(record)
    return records


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file of a run, as a :class:`RunError` naming the file if it is bad."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise RunError(f"{path}: missing") from None
    except json.JSONDecodeError as exc:
        raise RunError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None


def _drop_torn_tail(f: Any, path: Path) -> None:
    """Truncate an open JSON-lines file after its last newline, warning if that cuts."""
    size = f.seek(0, os.SEEK_END)
    if size == 0:
        return
    f.seek(size - 1)
    if f.read(1) == b"\n":
        return
    block = 1 << 16
    end = size
    while end > 0:
        start = max(0, end - block)
        f.seek(start)
        chunk = f.read(end - start)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            end = start + cut + 1
            break
        end = start
    warnings.warn(
        f"{path}: dropped a torn last line ({size - end} bytes) that an interrupted write "
        "left behind",
        stacklevel=3,
    )
    f.truncate(end)
    f.seek(end)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def json_default(obj: Any) -> Any:
    """JSON for NumPy values (``tolist``) and paths; ``TypeError`` for anything else."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")
