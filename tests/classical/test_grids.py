"""Default grids, TOML grid files and their one-line errors."""

from __future__ import annotations

import pytest

from fer_classic.classical.grids import (
    check_grid,
    default_grid,
    expand_grid,
    load_grid_file,
    parse_grid_document,
)
from fer_classic.errors import FerClassicError

GOOD = """
[features.hog]
orientations = 12

[knn]
n_neighbors = [1, 3]
weights = "distance"
p = [1, 2, 3]

[[svm]]
kernel = "linear"
C = [0.1, 1]

[[svm]]
kernel = "rbf"
C = 10
pca = ["none", 50]
class_weight = ["none", "balanced"]
"""


def test_toml_grid_file(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(GOOD)
    grids, feature_params = parse_grid_document(load_grid_file(path), where=str(path))
    assert feature_params == {"hog": {"orientations": 12}}
    assert grids["knn"] == [{"n_neighbors": [1, 3], "p": [1, 2, 3], "weights": ["distance"]}]
    svm = expand_grid(grids["svm"])
    assert len(svm) == 2 + 4
    assert svm[0] == {"C": 0.1, "kernel": "linear"}
    assert {"C": 10, "class_weight": None, "kernel": "rbf", "pca": None} in svm
    assert {"C": 10, "class_weight": "balanced", "kernel": "rbf", "pca": 50} in svm


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[svn]\nC = 1", "unknown section 'svn'; valid sections: features, knn, svm, rf"),
        ("[svm]\ngama = [1]", "[svm] unknown key 'gama'; valid keys: C, class_weight, gamma"),
        (
            "[knn]\nn_neighbors = [0]",
            "[knn] n_neighbors = 0 is invalid; expected a positive integer",
        ),
        ("[rf]\nmax_depth = ['deep']", "[rf] max_depth = 'deep' is invalid"),
        ("[svm]\nC = []", "[svm] C is an empty list"),
        ("[features.sift]\nx = 1", "[features.sift] unknown extractor; valid names: pixels"),
        ("[knn\nn_neighbors = 1", "not valid TOML"),
        ('[features.hog]\nn_jobs = "x"', "[features.hog] n_jobs must be a positive number"),
        ("[features.hog]\nbogus = 3", "[features.hog] unknown key 'bogus'; valid keys: "),
        ("[features.lbp]\nP = 0", "[features.lbp] P must be an integer >= 1; got 0"),
    ],
)
def test_malformed_grid_names_the_key(tmp_path, text, message):
    path = tmp_path / "grid.toml"
    path.write_text(text)
    with pytest.raises(FerClassicError, match=r"grid\.toml: .*") as info:
        parse_grid_document(load_grid_file(path), where=str(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_grid_file(tmp_path):
    with pytest.raises(FerClassicError, match="no such grid file"):
        load_grid_file(tmp_path / "nope.toml")


def test_check_grid_accepts_scalars_and_none():
    assert check_grid("rf", {"max_depth": "none", "n_estimators": 10}) == [
        {"max_depth": [None], "n_estimators": [10]}
    ]


@pytest.mark.parametrize("model", ["knn", "svm", "rf"])
def test_default_grids_are_valid(model):
    for feature, dims in (("pixels", 2304), ("hog+lbp+landmarks", 1805), ("hist", 32)):
        grid = default_grid(feature, model, dims, 28709)
        assert check_grid(model, grid) == [dict(sorted(t.items())) for t in grid]
        assert expand_grid(grid)


def test_default_rbf_svm_uses_pca_only_on_large_features():
    rbf = [t for t in default_grid("hog", "svm", 1296, 28709) if t["kernel"] == ["rbf"]]
    assert rbf[0]["pca"] == [100, 300]
    rbf = [t for t in default_grid("hist", "svm", 32, 28709) if t["kernel"] == ["rbf"]]
    assert rbf[0]["pca"] == [None]
    rbf = [t for t in default_grid("hog", "svm", 1296, 100) if t["kernel"] == ["rbf"]]
    assert rbf[0]["pca"] == [100]
