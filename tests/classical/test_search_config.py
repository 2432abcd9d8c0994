"""``SearchConfig``: each setting's default and check, the options derived from it, one run."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from fer_classic.classical import MODELS, SearchConfig, grid_search
from fer_classic.cli import grid_search as grid_search_cli
from fer_classic.cli.main import build_parser, main
from fer_classic.errors import ParameterError


def test_values_are_normalised():
    config = SearchConfig(features="hog, lbp,hog", models=["svm"], grid="g.toml", out="runs/x")
    assert config.features == ("hog", "lbp") and config.models == ("svm",)
    assert config.grid == Path("g.toml") and config.out == Path("runs/x")
    assert SearchConfig().models == MODELS


@pytest.mark.parametrize(
    ("settings", "parameter", "message"),
    [
        ({"features": "hog+sift"}, "features", "unknown feature extractor 'sift'"),
        ({"models": ""}, "models", "give at least one of knn, svm, rf"),
        ({"grid": 3}, "grid", "must be a grid file's path or a mapping"),
        ({"cv": 1}, "cv", "must be a number of folds >= 2"),
        ({"search": "random"}, "search", "unknown search 'random'; valid: grid, halving"),
        ({"factor": 1}, "factor", "must be a whole number >= 2"),
        ({"refit": "val"}, "refit", r"unknown refit .val.; valid: train, train\+val"),
        ({"seed": 1.5}, "seed", "must be a whole number"),
        ({"n_jobs": 0}, "n_jobs", "must be a positive number of workers, or -1"),
        ({"backend": "spark"}, "backend", "valid: loky, dask"),
        ({"backend": "dask"}, "scheduler", "backend dask needs scheduler"),
        ({"progress": "yes"}, "progress", "must be True, False or None"),
    ],
)
def test_a_bad_value_names_its_setting(settings, parameter, message):
    with pytest.raises(ParameterError, match=message) as info:
        SearchConfig(**settings)
    assert info.value.parameter == parameter


def test_options_are_the_fields_with_the_libraries_defaults():
    parser = build_parser()
    options = {*grid_search_cli._SEARCH_OPTIONS, *grid_search_cli._EXECUTION_OPTIONS}
    assert options | set(grid_search_cli._FROM_DATA_OPTIONS) == {
        f.name for f in fields(SearchConfig)
    }
    assert grid_search_cli.config_from_args(parser.parse_args(["grid-search"])) == SearchConfig()
    args = parser.parse_args(["grid-search", "--models", "knn", "--factor", "2", "--seed", "4",
                              "--no-progress", "--n-jobs", "-1", "--force"])  # fmt: skip
    assert grid_search_cli.config_from_args(args) == SearchConfig(
        models="knn", factor=2, seed=4, progress=False, n_jobs=-1, force=True
    )


def test_help_shows_the_defaults_of_the_config(capsys):
    with pytest.raises(SystemExit):
        main(["grid-search", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    defaults = SearchConfig()
    assert f"(default: {','.join(defaults.features)})" in text
    assert f"successive halving's factor (default: {defaults.factor})" in text
    assert f"(default: {defaults.out})" in text


def test_a_bad_option_value_is_one_line_naming_the_option(capsys):
    assert main(["grid-search", "--factor", "1"]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == "fer-classic: error: --factor must be a whole number >= 2; got 1"


def test_keywords_and_a_config_are_the_same_run(small_dataset, tmp_path):
    grid = {"knn": {"n_neighbors": [1, 3]}}
    out = tmp_path / "run"
    first = grid_search(small_dataset, features="hog", models="knn", grid=grid, out=out)
    config = SearchConfig(features=["hog"], models=("knn",), grid=grid, out=tmp_path / "other")
    again = grid_search(small_dataset, config, out=out)
    assert again.resumed and again.best == first.best
    # The stored configuration: what a resume compares, the same as in earlier versions.
    stored = json.loads((out / "config.json").read_text())
    assert set(stored) == {
        "features",
        "feature_params",
        "models",
        "grids",
        "protocol",
        "seed",
        "data",
    }
    assert stored["protocol"] == {
        "cv": None, "search": "grid", "factor": None, "refit": "train", "scoring": "accuracy"
    }  # fmt: skip
    assert stored["features"] == ["hog"] and stored["models"] == ["knn"]
