"""Runs that differ only in their seed, grouped: mean, standard deviation, number of seeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .results import ModelResult


def seed_groups(models: Sequence[ModelResult]) -> list[dict[str, Any]]:
    """The groups of measured rows with one recipe and different seeds.

    Rows group when their ``recipe`` is the same (the same kind of run, settings,
    data set and model file) and each has a seed of its own; a group needs two
    seeds or more.

    Returns
    -------
    list of dict
        ``name``, ``members`` (row names, by seed), ``seeds``, ``n``, and the
        ``accuracy_mean``, ``accuracy_std``, ``macro_f1_mean`` and
        ``macro_f1_std`` over the members (sample standard deviation, ``ddof=1``).
    """
    by_recipe: dict[str, list[ModelResult]] = {}
    for m in models:
        if m.origin == "run" and m.recipe and m.seed is not None and m.accuracy is not None:
            by_recipe.setdefault(m.recipe, []).append(m)
    groups = []
    for members in by_recipe.values():
        seeds = [m.seed for m in members]
        if len(members) < 2 or len(set(seeds)) != len(members):
            continue
        members = sorted(members, key=lambda m: m.seed)
        accuracy = np.array([m.accuracy for m in members])
        macro_f1 = np.array([m.macro_f1 for m in members])
        first = members[0]
        groups.append(
            {
                "name": f"{first.summary or first.description} ({len(members)} seeds)",
                "members": [m.name for m in members],
                "seeds": [m.seed for m in members],
                "n": len(members),
                "accuracy_mean": float(accuracy.mean()),
                "accuracy_std": float(accuracy.std(ddof=1)),
                "macro_f1_mean": float(macro_f1.mean()),
                "macro_f1_std": float(macro_f1.std(ddof=1)),
            }
        )
    return groups
