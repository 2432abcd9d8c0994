"""Bootstrap intervals, exact McNemar tests and Holm's correction, against hand-computed values."""

from __future__ import annotations

import json
from math import comb

import numpy as np
import pytest
from sklearn.metrics import f1_score

from fer_classic.uncertainty import (
    McNemarResult,
    bootstrap_intervals,
    holm,
    mcnemar_exact,
    not_significantly_below,
    pairwise_significance,
    resample_weights,
    significance_matrix,
)

# 100 images of two classes, 80 right: 10 errors in each class
TRUE_100 = np.repeat([0, 1], 50)
PRED_100 = TRUE_100.copy()
PRED_100[:10] = 1
PRED_100[50:60] = 0


def _random_case(n: int = 300, n_classes: int = 4, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_classes, n))
    return y_true, y_pred


def test_all_correct_gives_one_for_both_scores():
    y = np.array([0, 1, 2, 2, 1, 0, 3])
    result = bootstrap_intervals(y, y, 4, n_resamples=200)
    assert result["accuracy"] == (1.0, 1.0)
    assert result["macro_f1"] == (1.0, 1.0)
    assert result["accuracy_point"] == 1.0
    assert result["macro_f1_point"] == 1.0


def test_accuracy_interval_is_about_the_normal_one():
    result = bootstrap_intervals(TRUE_100, PRED_100, 2, n_resamples=2000, seed=0)
    low, high = result["accuracy"]
    assert result["accuracy_point"] == pytest.approx(0.8)
    assert low < 0.8 < high
    half_width = 1.96 * np.sqrt(0.8 * 0.2 / 100)  # 0.0784
    assert low == pytest.approx(0.8 - half_width, abs=0.025)
    assert high == pytest.approx(0.8 + half_width, abs=0.025)
    assert result["macro_f1_point"] == pytest.approx(0.8)
    assert result["macro_f1"][0] < 0.8 < result["macro_f1"][1]
    assert {k: result[k] for k in ("method", "n_resamples", "seed", "level")} == {
        "method": "percentile bootstrap over test images",
        "n_resamples": 2000,
        "seed": 0,
        "level": 0.95,
    }


def test_a_seed_gives_the_same_intervals_and_another_seed_others():
    y_true, y_pred = _random_case()
    first = bootstrap_intervals(y_true, y_pred, 4, n_resamples=300, seed=7)
    assert bootstrap_intervals(y_true, y_pred, 4, n_resamples=300, seed=7) == first
    other = bootstrap_intervals(y_true, y_pred, 4, n_resamples=300, seed=8)
    assert other["accuracy"] != first["accuracy"]
    assert other["macro_f1"] != first["macro_f1"]


def test_a_wider_level_gives_a_wider_interval():
    narrow = bootstrap_intervals(TRUE_100, PRED_100, 2, level=0.5)["accuracy"]
    wide = bootstrap_intervals(TRUE_100, PRED_100, 2, level=0.99)["accuracy"]
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_resample_weights_count_draws_with_replacement():
    weights = resample_weights(50, 40, seed=1)
    assert weights.shape == (40, 50)
    assert np.issubdtype(weights.dtype, np.integer)
    assert (weights >= 0).all()
    assert (weights.sum(axis=1) == 50).all()
    assert np.array_equal(resample_weights(50, 40, seed=1), weights)
    assert not np.array_equal(resample_weights(50, 40, seed=2), weights)


def test_macro_f1_averages_over_the_classes_of_the_true_labels():
    # classes 3..6 absent from the test set: the same as scoring three classes
    y_true, y_pred = _random_case(n_classes=3)
    seven = bootstrap_intervals(y_true, y_pred, 7, n_resamples=300)
    three = bootstrap_intervals(y_true, y_pred, 3, n_resamples=300)
    assert seven == three
    present = np.unique(y_true)
    assert seven["macro_f1_point"] == pytest.approx(
        f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)
    )


@pytest.mark.parametrize("dropped_class", [None, 1])
def test_each_resample_is_scored_as_sklearn_scores_the_drawn_images(dropped_class):
    y_true, y_pred = _random_case(n=120, n_classes=4)
    y_pred[:5] = 5  # a class predicted but absent from the test set
    weights = resample_weights(len(y_true), 1, seed=4)
    if dropped_class is not None:  # a class of the test set that this resample misses
        weights[:, y_true == dropped_class] = 0
        weights[0, 0] += len(y_true) - weights.sum()
    drawn_true = np.repeat(y_true, weights[0])
    drawn_pred = np.repeat(y_pred, weights[0])
    present = np.unique(y_true)  # of the whole test set, not of the resample
    result = bootstrap_intervals(y_true, y_pred, 6, weights=weights)
    accuracy = np.mean(drawn_true == drawn_pred)
    # a class the resample neither holds nor predicts: 0 / 0, left out of the mean
    macro_f1 = f1_score(
        drawn_true, drawn_pred, labels=present, average="macro", zero_division=np.nan
    )
    assert result["accuracy"] == pytest.approx((accuracy, accuracy))
    assert result["macro_f1"] == pytest.approx((macro_f1, macro_f1))


def test_a_class_a_resample_misses_is_left_out_of_its_macro_f1():
    y_true = np.array([0, 0, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 0])
    weights = np.array([[2, 1, 1, 1, 0]])  # the one image of class 2 not drawn
    result = bootstrap_intervals(y_true, y_pred, 3, weights=weights)
    # drawn: (0, 0) twice, (0, 1), (1, 1) twice; F1 = 2 TP / (true + predicted)
    # class 0: 2 * 2 / (3 + 2); class 1: 2 * 2 / (2 + 3); class 2 left out
    assert result["macro_f1"] == pytest.approx((0.8, 0.8))
    assert result["accuracy"] == pytest.approx((0.8, 0.8))
    # on all images class 2 is there and never predicted: F1 0, in the mean
    # class 0: 2 * 1 / (2 + 2); class 1: 2 * 2 / (2 + 3)
    assert result["macro_f1_point"] == pytest.approx((0.5 + 0.8 + 0) / 3)
    assert result["accuracy_point"] == pytest.approx(0.6)


def test_shared_weights_score_every_model_on_the_same_resamples():
    y_true, pred_a = _random_case(seed=5)
    _, pred_b = _random_case(seed=6)
    weights = resample_weights(len(y_true), 300, seed=9)
    for y_pred in (pred_a, pred_b):
        shared = bootstrap_intervals(y_true, y_pred, 4, weights=weights)
        own = bootstrap_intervals(y_true, y_pred, 4, n_resamples=300, seed=9)
        assert shared["seed"] is None
        assert shared["n_resamples"] == 300
        assert {**shared, "seed": 9} == own


def test_bootstrap_refuses_what_it_cannot_score():
    empty = np.array([], dtype=int)
    with pytest.raises(ValueError, match="no images"):
        bootstrap_intervals(empty, empty, 7)
    with pytest.raises(ValueError, match="one shape"):
        bootstrap_intervals(TRUE_100, PRED_100[:50], 2)
    with pytest.raises(ValueError, match="outside"):
        bootstrap_intervals(TRUE_100, PRED_100 + 1, 2)
    with pytest.raises(ValueError, match="level"):
        bootstrap_intervals(TRUE_100, PRED_100, 2, level=95)
    with pytest.raises(ValueError, match="weights must have shape"):
        bootstrap_intervals(TRUE_100, PRED_100, 2, weights=resample_weights(99, 10))


def _correctness(b: int, c: int, both: int = 5, neither: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Correctness of two models with b images only A got right and c only B."""
    a = np.array([True] * b + [False] * c + [True] * both + [False] * neither)
    return a, np.array([False] * b + [True] * c + [True] * both + [False] * neither)


def test_mcnemar_is_the_exact_binomial_test_of_the_disagreements():
    result = mcnemar_exact(*_correctness(10, 2))
    assert result == McNemarResult(b=10, c=2, p_value=pytest.approx(0.03857421875))
    assert result.p_value == pytest.approx(2 * sum(comb(12, k) for k in range(3)) / 2**12)
    swapped = mcnemar_exact(*_correctness(2, 10))
    assert (swapped.b, swapped.c) == (2, 10)
    assert swapped.p_value == pytest.approx(result.p_value)


def test_mcnemar_gives_one_when_the_models_do_not_differ():
    assert mcnemar_exact(*_correctness(4, 4)).p_value == pytest.approx(1.0)
    assert mcnemar_exact(*_correctness(0, 0)) == McNemarResult(b=0, c=0, p_value=1.0)


def test_mcnemar_refuses_other_shapes_and_non_boolean_input():
    a, b = _correctness(3, 1)
    with pytest.raises(ValueError, match="one shape"):
        mcnemar_exact(a, b[:-1])
    with pytest.raises(ValueError, match="one shape"):
        mcnemar_exact(a[None], b[None])
    with pytest.raises(ValueError, match="boolean"):
        mcnemar_exact(a.astype(int), b.astype(int))


def test_holm_adjusts_a_known_list_in_its_order():
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    # sorted: 0.005 * 4, 0.01 * 3, 0.03 * 2, 0.04 * 1 -> non-decreasing: 0.06 for the last
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.4, 0.9]) == pytest.approx([1.0, 1.0, 1.0])
    assert holm([0.02]) == pytest.approx([0.02])
    assert holm([]).shape == (0,)


def test_holm_refuses_values_that_are_not_p_values():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.1, 1.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([np.nan])


def _three_models() -> dict[str, np.ndarray]:
    """200 images: "best" right on 180, "close" differs from it on 4, "weak" loses 40 more."""
    best = np.zeros(200, dtype=bool)
    best[:180] = True
    close = best.copy()
    close[:3] = False  # 3 only best got right
    close[190] = True  # 1 only close got right
    weak = best.copy()
    weak[:40] = False
    return {"best": best, "close": close, "weak": weak}


def test_pairwise_significance_tests_and_corrects_every_pair():
    result = pairwise_significance(_three_models())
    json.dumps(result)
    assert result["names"] == ["best", "close", "weak"]
    assert result["alpha"] == 0.05
    assert result["n_images"] == 200
    assert (
        result["method"] == "exact McNemar test on paired predictions, Holm-corrected over 3 pairs"
    )
    pairs = {(p["a"], p["b"]): p for p in result["pairs"]}
    assert list(pairs) == [("best", "close"), ("best", "weak"), ("close", "weak")]
    counts = {key: (p["b_only_a"], p["c_only_b"]) for key, p in pairs.items()}
    assert counts == {
        ("best", "close"): (3, 1),
        ("best", "weak"): (40, 0),
        ("close", "weak"): (38, 0),
    }
    raw = [mcnemar_exact(*models).p_value for models in _pairs_of(_three_models())]
    assert [p["p_value"] for p in result["pairs"]] == pytest.approx(raw)
    assert [p["p_holm"] for p in result["pairs"]] == pytest.approx(list(holm(raw)))
    assert pairs["best", "close"]["p_value"] == pytest.approx(0.625)  # 2 * (1 + 4) / 16
    assert [p["significant"] for p in result["pairs"]] == [False, True, True]


def _pairs_of(models: dict[str, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    names = list(models)
    return [(models[a], models[b]) for i, a in enumerate(names) for b in names[i + 1 :]]


def test_significance_matrix_is_symmetric_with_an_empty_diagonal():
    result = pairwise_significance(_three_models())
    matrix = significance_matrix(result)
    p = {(q["a"], q["b"]): q["p_holm"] for q in result["pairs"]}
    assert matrix == [
        [None, p["best", "close"], p["best", "weak"]],
        [p["best", "close"], None, p["close", "weak"]],
        [p["best", "weak"], p["close", "weak"], None],
    ]


def test_pairwise_significance_refuses_models_on_other_images():
    models = _three_models()
    models["other"] = np.ones(150, dtype=bool)
    with pytest.raises(ValueError, match="same images"):
        pairwise_significance(models)
    with pytest.raises(ValueError, match="alpha"):
        pairwise_significance(_three_models(), alpha=5)


def _significance(p_holm: dict[tuple[str, str], float], alpha: float = 0.05) -> dict:
    pairs = [{"a": a, "b": b, "p_holm": p} for (a, b), p in p_holm.items()]
    return {"names": sorted({n for pair in p_holm for n in pair}), "pairs": pairs, "alpha": alpha}


def test_not_significantly_below_marks_the_models_level_with_one_on_the_front():
    # front: "big" (most accurate) and "tiny" (cheapest, least accurate of the front)
    accuracies = {"big": 0.70, "tiny": 0.55, "mid": 0.68, "slow": 0.60, "bad": 0.40}
    significance = _significance(
        {
            ("big", "tiny"): 0.001,
            ("big", "mid"): 0.30,  # level with big
            ("big", "slow"): 0.001,
            ("big", "bad"): 0.001,
            ("tiny", "mid"): 0.001,
            ("tiny", "slow"): 0.001,  # significantly different, but slow is more accurate
            ("tiny", "bad"): 0.01,  # significantly below everything
            ("mid", "slow"): 0.001,
            ("mid", "bad"): 0.001,
            ("slow", "bad"): 0.001,
        }
    )
    assert not_significantly_below(accuracies, significance, ["big", "tiny"]) == {"mid", "slow"}
    assert not_significantly_below(accuracies, significance, ["big"]) == {"mid"}
    assert not_significantly_below(accuracies, significance, []) == set()
    with pytest.raises(ValueError, match="without an accuracy"):
        not_significantly_below(accuracies, significance, ["huge"])


def test_not_significantly_below_reads_pairwise_significance():
    models = _three_models()
    accuracies = {name: float(c.mean()) for name, c in models.items()}
    result = pairwise_significance(models)
    assert not_significantly_below(accuracies, result, ["best"]) == {"close"}
    accuracies["unknown"] = 0.5
    with pytest.raises(ValueError, match="no test of 'unknown'"):
        not_significantly_below(accuracies, result, ["best"])
