"""Atomic writes and append-only logs: failures named, torn lines dropped, leftovers removed."""

from __future__ import annotations

import pytest

from fer_classic.errors import RunError
from fer_classic.files import append_jsonl, read_jsonl


def test_append_after_a_torn_line_starts_a_line_of_its_own(tmp_path):
    log = tmp_path / "log.jsonl"
    append_jsonl(log, {"n": 1})
    big = {"n": 2, "pad": "x" * 200_000}  # longer than one read block
    append_jsonl(log, big)
    whole = log.read_bytes()
    log.write_bytes(whole[: len(whole) - 50])  # cut inside the long last record
    assert read_jsonl(log) == [{"n": 1}]
    with pytest.warns(UserWarning, match=r"dropped a torn last line \(199970 bytes\)"):
        append_jsonl(log, {"n": 3})
    assert read_jsonl(log) == [{"n": 1}, {"n": 3}]
    log.write_bytes(b'{"n": ')  # a torn first line
    with pytest.warns(UserWarning, match="torn"):
        append_jsonl(log, {"n": 4})
    assert read_jsonl(log) == [{"n": 4}]


def test_corrupt_complete_lines_are_named(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"n": 1}\nnot json\n{"n": 3}\n')
    with pytest.raises(RunError, match=r"log.jsonl: line 2 is not a JSON record"):
        read_jsonl(log)
    log.write_text('{"n": 1}\n[1, 2]\n')
    with pytest.raises(RunError, match="line 2 is not a JSON record"):
        read_jsonl(log)


def test_a_write_that_fails_is_one_error_naming_the_file(tmp_path, monkeypatch):
    import errno
    import os

    from fer_classic.files import write_text_atomic

    (tmp_path / "file").write_text("x")
    with pytest.raises(RunError, match=r"file/out.json: cannot be written: .*\[(EEXIST|ENOTDIR)\]"):
        write_text_atomic(tmp_path / "file" / "out.json", "{}")
    (tmp_path / "folder").mkdir()
    with pytest.raises(RunError, match=r"folder: cannot be written: .*\[EISDIR\]"):
        write_text_atomic(tmp_path / "folder", "{}")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(
        RunError, match=r"full.json: cannot be written: No space left on device \[ENOSPC\]"
    ):
        write_text_atomic(tmp_path / "full.json", "{}")
    monkeypatch.undo()
    assert not (tmp_path / "full.json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_taking_a_run_lock_removes_what_interrupted_writers_left(tmp_path):
    from fer_classic.files import TEMPORARY_MARK
    from fer_classic.runs import run_lock

    leftover = tmp_path / f".metrics{TEMPORARY_MARK}abc123.json"
    leftover.write_text("{")
    (tmp_path / "metrics.json").write_text("{}")
    with run_lock(tmp_path):
        assert not leftover.exists()
    assert (tmp_path / "metrics.json").exists()


def test_caches_remove_stale_leftovers_only(tmp_path):
    import os
    import time

    from fer_classic.files import STALE_SECONDS, TEMPORARY_MARK, remove_temporary_files

    old = tmp_path / f".hog-abc{TEMPORARY_MARK}x1.npy"
    old_dir = tmp_path / f".key{TEMPORARY_MARK}x2"
    fresh = tmp_path / f".lbp-abc{TEMPORARY_MARK}x3.npy"  # perhaps another process's write
    old.write_text("x")
    old_dir.mkdir()
    fresh.write_text("x")
    long_ago = time.time() - 2 * STALE_SECONDS
    for path in (old, old_dir):
        os.utime(path, (long_ago, long_ago))
    removed = remove_temporary_files(tmp_path, older_than=STALE_SECONDS)
    assert sorted(removed) == sorted([old, old_dir]) and fresh.exists()
