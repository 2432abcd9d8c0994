"""Cross-dataset results: every model of a comparison scored on further data sets.

``compare --also-on PATH[:PART]`` scores each measured model on another data set
(a class folder such as CK+ or JAFFE, RAF-DB, or another split of FER-2013), with
the same bootstrap intervals as its own test split. Classes outside FER-2013's
seven are dropped and counted, as the loaders do; classes the data set lacks
leave the macro-F1 (:func:`fer_classic.evaluation.classification_metrics`), and a
prediction of a class the data set does not know counts as wrong.

A model that was fitted on these images, or whose pipeline or checkpoint was
chosen on them (FER-2013's PublicTest for every model of this tool), is marked:
its score there is no held-out test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..data import load_dataset
from ..errors import ParameterError
from ..evaluation import SUBSETS, classification_metrics, select_subset
from ..inference import Classifier
from .intervals import Bootstrap
from .results import ModelResult


def parse_also_on(spec: str | Path) -> tuple[Path, str | None]:
    """A data set and the part of it to score: ``PATH`` or ``PATH:PART``.

    ``PART`` is one of :data:`fer_classic.evaluation.SUBSETS` (``test``, ``val``,
    ``train``, ``all``); without it, a data set's own test split where it has one,
    else all its images.
    """
    text = str(spec)
    head, colon, tail = text.rpartition(":")
    if colon and tail in SUBSETS:
        return Path(head), tail
    if colon and not Path(text).exists() and "/" not in tail:
        raise ParameterError(
            "also_on", f"{{name}} {text!r}: part {tail!r} is not one of {', '.join(SUBSETS)}"
        )
    return Path(text), None


def score_elsewhere(
    spec: str | Path,
    models: Sequence[ModelResult],
    classifiers: Sequence[Classifier],
    bootstrap: Bootstrap,
    cache_dir: str | Path | None,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Score every model on the data set ``spec`` names; adds to each ``model.cross``.

    Parameters
    ----------
    spec : str or path
        ``PATH`` or ``PATH:PART`` (:func:`parse_also_on`).
    models, classifiers : sequences of one length
        The measured rows and the loaded models behind them.
    bootstrap : Bootstrap
        Intervals, with resamples of their own for these images.
    cache_dir : path, optional
    log : callable

    Returns
    -------
    dict
        The data set: ``label`` (the key of ``model.cross``), ``source``, ``part``,
        ``n``, ``class_names``, ``absent`` (classes it has no image of) and
        ``dropped`` (images left out, by reason).
    """
    path, part = parse_also_on(spec)
    dataset = load_dataset(path, cache_dir=cache_dir)
    if part is None:
        part = "all" if dataset.raw.usage.max(initial=-1) < 0 else "test"
    images, labels, _ = select_subset(dataset, part)
    parts = ("train", "val", "test") if part == "all" else (part,)
    fingerprints = {getattr(dataset, name).fingerprint for name in parts}
    names = list(dataset.class_names)
    label = f"{path.name}:{part}"
    log(f"scoring {len(models)} models on {len(labels)} images of {label}")
    absent = [name for i, name in enumerate(names) if not np.any(labels == i)]
    for model, classifier in zip(models, classifiers, strict=True):
        decided = np.asarray(classifier.predict(images), dtype=np.int64)
        # The model's classes onto the data set's; a class it lacks is the extra index.
        columns = np.array([names.index(c) if c in names else len(names)
                            for c in classifier.class_names])  # fmt: skip
        pred = columns[decided]
        scores = classification_metrics(labels, pred, names)
        found = bootstrap.intervals(label, labels, pred, len(names) + 1)
        model.cross[label] = {
            "accuracy": scores["accuracy"],
            "macro_f1": scores["macro_f1"],
            "accuracy_ci": found["accuracy"],
            "macro_f1_ci": found["macro_f1"],
            "n": len(labels),
            "seen": _seen(model, fingerprints),
        }
    return {
        "label": label,
        "source": str(path),
        "part": part,
        "n": len(labels),
        "class_names": names,
        "absent": absent,
        "dropped": dict(dataset.raw.dropped),
    }


#: How a model saw a further data set's images before, strongest first.
SEEN = ("trained on", "selected on")


def _seen(model: ModelResult, fingerprints: set[str]) -> str | None:
    """``"trained on"``, ``"selected on"`` or None: what ``model`` did with these splits."""
    if fingerprints & set(model.trained_on):
        return SEEN[0]
    if fingerprints & set(model.selected_on):
        return SEEN[1]
    return None
