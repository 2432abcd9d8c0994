"""The data set a run was scored on, loaded again and checked by its test split's fingerprint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data import FERDataset, Split, load_run_data
from ..errors import DataError


def load_test_split(
    data: dict[str, Any],
    *,
    path: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> Split:
    """The test split a manifest's ``data`` section describes (:func:`load_run_dataset`)."""
    return load_run_dataset(data, path=path, cache_dir=cache_dir).test


def load_run_dataset(
    data: dict[str, Any],
    *,
    path: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> FERDataset:
    """The data set and split a manifest's ``data`` section describes, checked.

    Parameters
    ----------
    data : dict
        ``manifest["data"]`` of a run: :meth:`fer_classic.data.FERDataset.describe`.
    path : path, optional
        Where the data set is now, when it moved since the run; default the recorded
        ``source`` (for FER-2013 found elsewhere, :func:`fer_classic.data.find_fer2013`).
    cache_dir : path, optional
        Cache of decoded data sets.

    Returns
    -------
    FERDataset
        Its splits, the test split's fingerprint equal to the recorded
        ``test_fingerprint``; otherwise :class:`DataError`.
    """
    dataset = load_run_data(data, path=path, cache_dir=cache_dir)
    where = path if path is not None else data.get("source")
    expected = data.get("test_fingerprint")
    if dataset.test.fingerprint != expected:
        raise DataError(
            f"{where}: its test split ({dataset.test.fingerprint[:12]}) is not the one the runs "
            f"were scored on ({str(expected)[:12]}); pass --data with the data they used"
        )
    return dataset
