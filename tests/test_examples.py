"""Every script in examples/ runs to the end on the synthetic data set."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    from fer_classic.features import FEATURES

    monkeypatch.chdir(tmp_path)
    built_in = set(FEATURES)
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        for name in set(FEATURES) - built_in:  # what the example registered
            del FEATURES[name]
    assert capsys.readouterr().out.strip()


def test_there_are_examples():
    assert len(EXAMPLES) >= 2
