"""``fer-classic grid-search`` on the synthetic data: output, resume, one-line errors."""

from __future__ import annotations

from fer_classic.cli.main import main

GRID = """
[knn]
n_neighbors = [1, 3]
weights = "distance"
p = [1, 2]

[rf]
n_estimators = 10
"""


def test_grid_search_prints_candidates_and_the_test_report(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    argv = [
        "grid-search",
        "--features",
        "hog,lbp",
        "--models",
        "knn,rf",
        "--grid",
        str(grid),
        "--out",
        str(tmp_path / "run"),
        "--n-jobs",
        "2",
    ]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "SYNTHETIC" in err
    assert "10 candidates trained on the whole training split" in out
    assert "val acc" in out and "macro-F1" in out and "confusion matrix" in out
    assert (tmp_path / "run" / "metrics.json").exists()
    assert main(argv) == 0
    out, _ = capsys.readouterr()
    assert "resumed" in out and "10 candidate results were already there" in out


def test_user_errors_are_one_line_and_status_2(tmp_path, capsys):
    bad_grid = tmp_path / "bad.toml"
    bad_grid.write_text("[svm]\ngama = 1\n")
    cases = [
        (["--models", "svm,mlp"], "unknown 'mlp'; valid: knn, svm, rf"),
        (["--features", "hog+sift"], "unknown feature extractor 'sift'"),
        (["--grid", str(bad_grid)], "bad.toml: [svm] unknown key 'gama'"),
    ]
    for extra, message in cases:
        argv = [
            "grid-search",
            "--features",
            "hog",
            "--models",
            "svm",
            "--out",
            str(tmp_path / "run"),
            *extra,
        ]
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("fer-classic: error: ")
        assert message in err[-1]


def test_bad_worker_and_row_counts_are_refused(capsys):
    import pytest

    for argv, message in (
        (["--n-jobs", "-5"], "argument --n-jobs: must be a positive number of workers, or -1"),
        (["--n-jobs", "0"], "argument --n-jobs: must be a positive number of workers, or -1"),
        (["--top", "-1"], "argument --top: must be a positive whole number, got '-1'"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["grid-search", *argv])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
