"""Output and cache paths are checked before any work: one line, status 2."""

from __future__ import annotations

import os

import pytest

from fer_classic.cli.main import main
from fer_classic.errors import RunError
from fer_classic.files import check_writable_dir, check_writable_file


def _error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    return err[-1]


def test_a_file_where_a_folder_should_be(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(RunError, match=r"f: not a folder$"):
        check_writable_dir(tmp_path / "f")
    with pytest.raises(RunError, match=r"f/sub: not a folder \(.*f is a file\)"):
        check_writable_dir(tmp_path / "f" / "sub")
    with pytest.raises(RunError, match="is a folder; name a file"):
        check_writable_file(tmp_path)
    assert check_writable_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # nothing is created


def test_a_folder_that_cannot_be_written(tmp_path, monkeypatch):
    # As root every folder is writable; the permission test is the operating system's.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(RunError, match=r"cannot be written .*permission denied"):
        check_writable_dir(tmp_path / "out")


def test_commands_refuse_bad_output_paths_up_front(knn_run, tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("x")
    assert main(["compare", str(knn_run), "--out", str(file)]) == 2
    assert _error(capsys) == f"fer-classic: error: {file}: not a folder"
    assert main(["evaluate", str(knn_run), "--out", str(tmp_path)]) == 2
    assert "is a folder; name a file" in _error(capsys)
    assert main(["grid-search", "--features", "pixels", "--models", "knn",
                 "--cache-dir", str(file), "--out", str(tmp_path / "r")]) == 2  # fmt: skip
    assert _error(capsys) == f"fer-classic: error: {file}: not a folder"
    assert main(["grid-search", "--features", "pixels", "--models", "knn",
                 "--out", str(file)]) == 2  # fmt: skip
    assert "cannot be used as a run directory" in _error(capsys)
    assert main(["train-cnn", "--arch", "compact", "--epochs", "3", "--out", str(file)]) == 2
    assert "cannot be used as a run directory" in _error(capsys)


def test_predict_refuses_a_file_as_its_output_folder(photos, knn_run, tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("x")
    status = main(["predict", str(photos / "astronaut.png"), "--model", str(knn_run),
                   "--out", str(file)])  # fmt: skip
    assert status == 2 and _error(capsys) == f"fer-classic: error: {file}: not a folder"


def test_data_prepare_fails_when_nothing_could_be_cached(tmp_path, monkeypatch, capsys):
    import numpy as np

    from ..data.conftest import write_fer_csv

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (21, 48, 48), dtype=np.uint8)
    usage = ["Training"] * 7 + ["PublicTest"] * 7 + ["PrivateTest"] * 7
    csv = tmp_path / "fer.csv"
    write_fer_csv(csv, np.arange(21) % 7, usage, images)

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("fer_classic.data.load.store_entry", read_only)
    assert main(["data", "prepare", str(csv), "--cache-dir", str(tmp_path / "c")]) == 2
    assert "could not be cached (Permission denied)" in _error(capsys)
    assert main(["data", "info", str(csv), "--cache-dir", str(tmp_path / "c")]) == 0
    assert "fer-classic: warning: " in capsys.readouterr().err
