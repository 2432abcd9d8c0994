"""The command line: one-line errors with exit status 2, help for every command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fer_classic.cli.main import build_parser, main

from .data.conftest import write_fer_csv


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert "fer-classic" in capsys.readouterr().out


def test_every_command_has_help(capsys):
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert "data" in commands
    for name in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_data_info_prints_counts(fer_csv_path, capsys):
    assert main(["data", "info", str(fer_csv_path)]) == 0
    out = capsys.readouterr().out
    assert "fer2013-csv" in out and "train (Training)" in out
    assert "cache:" in out


def test_data_info_on_synthetic_says_so(capsys):
    assert main(["data", "info"]) == 0
    captured = capsys.readouterr()
    assert "SYNTHETIC" in captured.err and "mean nothing about real faces" in captured.err


def test_data_prepare_caches(fer_csv_path, tmp_path, capsys):
    assert main(["data", "prepare", str(fer_csv_path), "--cache-dir", str(tmp_path)]) == 0
    assert any((tmp_path / "data").iterdir())


def test_bad_row_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("emotion,pixels,Usage\n9," + " ".join(["1"] * 2304) + ",Training\n")
    assert main(["data", "info", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("fer-classic: error:") and "bad.csv: line 2" in err


def test_console_script_prints_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "fer_classic.cli.main", "data", "info", str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "none: no such file or directory" in result.stderr


def test_unknown_option_value_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "info", "--split", "random"])
    assert exit_info.value.code == 2
    assert "--split" in capsys.readouterr().err


@pytest.fixture
def fer_csv_path(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(21, 48, 48), dtype=np.uint8)
    labels = np.arange(21) % 7
    usage = ["Training"] * 7 + ["PublicTest"] * 7 + ["PrivateTest"] * 7
    return write_fer_csv(tmp_path / "fer2013.csv", labels, usage, images)


def test_library_parameters_are_named_as_options_on_the_command_line(capsys):
    from fer_classic.classical import grid_search
    from fer_classic.data import make_synthetic
    from fer_classic.errors import ParameterError

    with pytest.raises(ParameterError) as info:
        grid_search(make_synthetic(n_per_class=4), search="random", out="unused")
    assert str(info.value).startswith("unknown search 'random'")
    assert main(["grid-search", "--models", "mlp"]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("fer-classic: error: --models: unknown 'mlp'")
