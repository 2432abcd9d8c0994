"""Every script in examples/ runs to the end on the synthetic data set."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    from fer_classic.classical import CLASSIFIERS
    from fer_classic.features import FEATURES

    monkeypatch.chdir(tmp_path)
    registries = [FEATURES, CLASSIFIERS]
    built_in = [set(registry) for registry in registries]
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        for registry, names in zip(registries, built_in, strict=True):
            for name in set(registry) - names:  # what the example registered
                del registry[name]
    assert capsys.readouterr().out.strip()


def test_there_are_examples():
    assert len(EXAMPLES) >= 2
