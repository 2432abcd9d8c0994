"""Fixtures shared by every test: an isolated cache, and FER-2013 when it is present."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_classic.data import find_fer2013


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep every test's cache out of the user's ~/.cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("FER_CLASSIC_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def fer2013_path() -> Path:
    """FER-2013 from $FER2013_PATH or ../shared/datasets/fer2013; skip when absent."""
    path = find_fer2013()
    if path is None:
        pytest.skip(
            "FER-2013 not found: set FER2013_PATH or put fer2013.csv.gz in "
            "../shared/datasets/fer2013/"
        )
    return path
