"""Append-only JSON-lines logs: torn last lines dropped, corrupt lines named."""

from __future__ import annotations

import pytest

from fer_classic.errors import RunError
from fer_classic.runs import append_jsonl, read_jsonl


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
