"""``fer-classic compare`` on the command line: the table on success, one line on bad input."""

from __future__ import annotations

import inspect
import shutil

import pytest

from fer_classic.cli.main import build_parser, main
from fer_classic.reports import measure_runs


def test_compare_prints_the_table_and_writes_the_report(knn_run, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["compare", str(knn_run), "--out", str(out), "--warmup", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("!! SYNTHETIC DATA")
    assert "knn" in captured.out and "reported, not measured" in captured.out
    assert f"report: {out / 'report.html'}" in captured.out
    assert "compare: measuring knn" in captured.err
    assert (out / "comparison.json").exists()


def test_defaults_are_the_methods_and_the_librarys():
    args = build_parser().parse_args(["compare", "runs/x", "--out", "report"])
    # The method the report states: 200 batch-1 calls after 10 untimed ones, throughput
    # in batches of 256, on one thread.
    assert (args.latency_images, args.warmup, args.batch_size, args.threads) == (200, 10, 256, 1)
    library = inspect.signature(measure_runs).parameters
    options = ("latency_images", "warmup", "batch_size", "threads", "tflite", "tta")
    for name in (*options, "allow_mixed", "trust_pickle"):
        assert getattr(args, name) == library[name].default, name


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
