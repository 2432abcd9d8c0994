"""Pareto fronts, and the tables' formatting of measured and reported rows."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.reports.literature import literature_rows
from fer_classic.reports.plots import pareto_front
from fer_classic.reports.results import Comparison, ModelResult
from fer_classic.reports.tables import (
    MAIN_HEADERS,
    csv_text,
    format_bytes,
    format_seconds,
    main_rows,
    markdown,
    terminal_table,
)


def test_pareto_front_keeps_the_undominated():
    cost = [10, 1, 5, 5, 20, 2]
    accuracy = [0.6, 0.3, 0.5, 0.4, 0.55, 0.3]
    np.testing.assert_array_equal(pareto_front(cost, accuracy), [1, 2, 0])


def test_pareto_front_of_ties_keeps_one():
    np.testing.assert_array_equal(pareto_front([1, 1, 1], [0.5, 0.5, 0.5]), [0])


def test_pareto_front_shape_check():
    with pytest.raises(ValueError, match="1-d of one length"):
        pareto_front([1, 2], [0.5])


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (None, "-"),
        (512, "512 B"),
        (1_500, "1.5 kB"),
        (5_260_000, "5.26 MB"),
        (110_300_000, "110 MB"),
    ],
)
def test_format_bytes(n, text):
    assert format_bytes(n) == text


def test_format_seconds():
    assert [format_seconds(s) for s in (None, 1.5, 750, 7200)] == ["-", "1.5 s", "12.5 min", "2 h"]


@pytest.fixture
def comparison():
    model = ModelResult(
        name="hog-svm",
        origin="run",
        kind="classical",
        description="HogFeatures() + SVC()",
        summary="hog / SVC",
        accuracy=0.45678,
        macro_f1=0.4,
        per_class_f1={"a": 0.5, "b": 0.25},
        parameters=1234,
        model_bytes=2_000_000,
        latency_median_ms=1.234,
        latency_p95_ms=2.5,
        throughput_per_s=1234.5,
        training_seconds=90,
    )
    return Comparison(
        models=[model],
        literature=literature_rows(),
        class_names=("a", "b"),
        method={"threads": 1, "cpu": "test CPU", "latency_images": 200, "warmup": 10},
        notices=["NOTICE ONE"],
        warnings=["warning two"],
    )


def test_main_rows(comparison):
    row = main_rows(comparison)[0]
    assert row == ["hog-svm", "hog / SVC", "measured", "45.68", "0.400", "1,234", "2 MB",
                   "1.23 / 2.5", "1,234", "90 s"]  # fmt: skip
    assert len(main_rows(comparison)) == 1 + len(literature_rows())


def test_alerts_lead_every_text_output(comparison):
    assert terminal_table(comparison).startswith("!! NOTICE ONE\n!! warning two\n")
    assert markdown(comparison).split("\n")[2] == "> **NOTICE ONE**"
    header, first = csv_text(comparison).splitlines()[:2]
    assert header.endswith(",alerts,f1_a,f1_b")
    assert first.endswith("NOTICE ONE | warning two,0.5,0.25")


def test_markdown_escapes_names_and_texts(comparison):
    from dataclasses import replace

    odd = replace(comparison.models[0], name="a|b *x*", notes=["see [here](x) <b>"])
    text = markdown(replace(comparison, models=[odd]))
    assert r"a\|b \*x\*" in text and r"see \[here\](x) \<b\>" in text
    row = next(line for line in text.splitlines() if r"a\|b" in line)
    assert row.count(" | ") == len(MAIN_HEADERS) - 1  # the name stays in its column
