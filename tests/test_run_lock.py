"""The lock of a run directory: one command at a time, stale locks taken over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fer_classic.errors import RunError
from fer_classic.runs import LOCK, run_lock


def test_a_second_holder_is_refused_and_named(tmp_path):
    with run_lock(tmp_path / "run"):
        with pytest.raises(RunError, match=rf"in use by process {os.getpid()} on "):
            with run_lock(tmp_path / "run"):
                pass
    with run_lock(tmp_path / "run"):  # released on leaving the block
        pass


def test_the_lock_is_released_when_the_block_raises(tmp_path):
    (tmp_path / "run").mkdir()
    with pytest.raises(KeyError):
        with run_lock(tmp_path / "run"):
            raise KeyError("boom")
    assert (tmp_path / "run" / LOCK).read_text() == ""
    with run_lock(tmp_path / "run"):
        holder = json.loads((tmp_path / "run" / LOCK).read_text())
        assert holder["pid"] == os.getpid()


def test_a_directory_created_for_nothing_is_removed(tmp_path):
    with pytest.raises(RuntimeError):
        with run_lock(tmp_path / "new" / "run"):
            raise RuntimeError
    assert not (tmp_path / "new" / "run").exists()


def test_the_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    holder = {"pid": int(dead.stdout), "host": "here", "command": "grid-search", "since": "then"}
    (run_dir / LOCK).write_text(json.dumps(holder))
    with pytest.warns(UserWarning, match=rf"taking over the lock of process {dead.stdout.strip()}"):
        with run_lock(run_dir):
            assert json.loads((run_dir / LOCK).read_text())["pid"] == os.getpid()


def test_a_directory_that_cannot_hold_a_lock_is_one_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunError, match="cannot be used as a run directory"):
        with run_lock(tmp_path / "file"):
            pass


def _wait_for_holder(lock: Path, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text():
            return json.loads(lock.read_text())
        time.sleep(0.2)
    raise AssertionError(f"{lock} was never taken")


@pytest.mark.slow
def test_two_commands_on_one_run_directory_one_proceeds_the_other_exits_2(tmp_path):
    out = tmp_path / "run"
    command = [sys.executable, "-m", "fer_classic.cli.main"]
    first = subprocess.Popen(
        [*command, "train-cnn", "--arch", "compact", "--epochs", "50", "--batch-size", "16",
         "--no-export", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        holder = _wait_for_holder(out / LOCK)
        assert holder["pid"] == first.pid
        second = subprocess.run(
            [*command, "grid-search", "--features", "pixels", "--models", "knn", "--force",
             "--out", str(out)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second.returncode == 2
        error = second.stderr.strip().splitlines()[-1]
        assert f"in use by process {first.pid} on " in error and "train-cnn" in error
        assert first.poll() is None  # the first goes on
        assert (out / "config.json").exists() and json.loads((out / "config.json").read_text())[
            "arch"
        ] == "compact"
    finally:
        first.kill()
        first.communicate()
