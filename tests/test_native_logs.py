"""TensorFlow's native start-up log stays out of the command line's output; errors do not."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from fer_classic import native_logs
from fer_classic.native_logs import LOG_LEVEL_VARIABLE, quiet_tensorflow_logs

INFO = b"I0000 00:00:1796170770.925957   28661 port.cc:153] oneDNN custom operations are on.\n"
WARNING = b"W0000 00:00:1796170985.829707   30923 tf_tfl_flatbuffer_helpers.cc:364] Ignored.\n"
ERROR = b"E0000 00:00:1796170985.829707   30923 cuda_dnn.cc:8310] Unable to register.\n"
PREAMBLE = (
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
)


@pytest.fixture
def no_finder():
    """Leaves sys.meta_path as the test found it."""
    before = list(sys.meta_path)
    yield
    sys.meta_path[:] = before


@pytest.mark.parametrize(
    ("level", "hidden"),
    [
        (0, []),
        (1, [INFO, PREAMBLE]),
        (2, [INFO, WARNING, PREAMBLE]),
        (3, [INFO, WARNING, ERROR, PREAMBLE]),
    ],
)
def test_lines_below_the_level_are_hidden(level, hidden):
    lines = [INFO, WARNING, ERROR, PREAMBLE, b"fer-classic: error: a real one\n", b"I0 not a log\n"]
    assert [line for line in lines if native_logs._hidden(line, level)] == hidden


def test_filtered_stderr_writes_back_every_other_line(monkeypatch, capfd):
    monkeypatch.setenv(LOG_LEVEL_VARIABLE, "2")
    with native_logs.filtered_stderr():
        os.write(2, PREAMBLE + INFO + b"Traceback (most recent call last):\n" + ERROR)
    assert capfd.readouterr().err == "Traceback (most recent call last):\n" + ERROR.decode()


def test_the_users_level_is_kept(monkeypatch, no_finder):
    monkeypatch.setenv(LOG_LEVEL_VARIABLE, "0")
    quiet_tensorflow_logs()
    assert os.environ[LOG_LEVEL_VARIABLE] == "0"
    monkeypatch.delenv(LOG_LEVEL_VARIABLE)
    quiet_tensorflow_logs()
    assert os.environ[LOG_LEVEL_VARIABLE] == native_logs.DEFAULT_LOG_LEVEL


def test_the_command_line_imports_no_tensorflow_before_it_runs():
    code = (
        "import sys, fer_classic.cli.main as m; m.build_parser(); "
        "print(sorted({'keras', 'tensorflow'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs Keras")
def test_a_command_that_imports_tensorflow_prints_only_its_own_lines(tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_text("not a model")
    env = {k: v for k, v in os.environ.items() if k != LOG_LEVEL_VARIABLE}
    entry = "import sys; from fer_classic.cli.main import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", entry, "evaluate", str(bad)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    # Loading a .keras file imports Keras and TensorFlow before the file is refused.
    assert result.stderr.splitlines() == [
        f"fer-classic: error: {bad}: not a .keras archive (truncated, or another kind of file)"
    ]
