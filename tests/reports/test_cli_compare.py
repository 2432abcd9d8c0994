"""``fer-classic compare`` on the command line: the table on success, one line on bad input."""

from __future__ import annotations

import shutil

import pytest

from fer_classic.cli.main import build_parser, main
from fer_classic.reports.compare import MIN_LATENCY_IMAGES


def test_compare_prints_the_table_and_writes_the_report(knn_run, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["compare", str(knn_run), "--out", str(out), "--warmup", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("!! SYNTHETIC DATA")
    assert "knn" in captured.out and "reported, not measured" in captured.out
    assert f"report: {out / 'report.html'}" in captured.out
    assert "compare: measuring knn" in captured.err
    assert (out / "comparison.json").exists()


def test_default_latency_images_is_the_methods():
    args = build_parser().parse_args(["compare", "runs/x", "--out", "report"])
    assert args.latency_images == MIN_LATENCY_IMAGES


def test_partial_run_is_one_line_and_status_2(knn_run, tmp_path, capsys):
    run = shutil.copytree(knn_run, tmp_path / "partial")
    (run / "metrics.json").unlink()
    assert main(["compare", str(run), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"fer-classic: error: {run}: incomplete run: no metrics.json (the run did not "
                   "finish; resume it or leave it out of the comparison)"]  # fmt: skip


def test_mixed_splits_need_allow_mixed(knn_run, other_split_run, tmp_path, capsys):
    args = ["compare", str(knn_run), str(other_split_run), "--out", str(tmp_path)]
    assert main(args) == 2
    assert "--allow-mixed" in capsys.readouterr().err


def test_bad_option_value(knn_run, tmp_path, capsys):
    assert main(["compare", str(knn_run), "--out", str(tmp_path), "--threads", "0"]) == 2
    assert "--threads must be at least 1" in capsys.readouterr().err


def test_no_runs_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "RUN" in capsys.readouterr().err
