"""The test images a run was scored on, loaded again and checked by fingerprint."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..data import CLASS_NAMES, Split, find_fer2013, load_dataset, make_synthetic
from ..errors import DataError

# The source string of the synthetic data set, as fer_classic.data.make_synthetic writes it.
_SYNTHETIC_SOURCE = re.compile(r"synthetic\(n_per_class=(\d+), seed=(\d+)\)")


def load_test_split(
    data: dict[str, Any],
    *,
    path: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> Split:
    """The test split a manifest's ``data`` section describes.

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
    Split
        uint8 images ``(N, 48, 48)`` and int64 labels, whose fingerprint equals the
        recorded ``test_fingerprint``; otherwise :class:`DataError`.
    """
    source = str(data.get("source", ""))
    split, seed = data.get("split", "auto"), int(data.get("seed", 0))
    synthetic = _SYNTHETIC_SOURCE.fullmatch(source)
    if path is None and synthetic:
        n_per_class, draw_seed = int(synthetic.group(1)), int(synthetic.group(2))
        dataset = make_synthetic(n_per_class, seed=draw_seed, split=split, split_seed=seed)
        where = source
    else:
        where = str(path if path is not None else source)
        if path is None and _relative_fer2013_elsewhere(where, data):
            where = str(find_fer2013() or where)
        if not where or not Path(where).exists():
            raise DataError(
                f"{where or '(no source recorded)'}: the runs' data set is not there; "
                "pass --data PATH with the data the runs were trained on"
            )
        extra = "keep" if len(data.get("class_names") or CLASS_NAMES) > len(CLASS_NAMES) else "drop"
        dataset = load_dataset(
            where, split=split, seed=seed, cache_dir=cache_dir, extra_classes=extra
        )
    expected = data.get("test_fingerprint")
    if dataset.test.fingerprint != expected:
        raise DataError(
            f"{where}: its test split ({dataset.test.fingerprint[:12]}) is not the one the runs "
            f"were scored on ({str(expected)[:12]}); pass --data with the data they used"
        )
    return dataset.test


def _relative_fer2013_elsewhere(source: str, data: dict[str, Any]) -> bool:
    """A FER-2013 CSV recorded relative to another working directory than this one."""
    path = Path(source)
    return data.get("format") == "fer2013-csv" and not path.is_absolute() and not path.exists()
