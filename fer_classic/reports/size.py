"""How big a model is: what it stores, and its files' bytes on disk.

A network's size is its parameter count. A classical model's is what it keeps
after fitting, counted as stored numbers so that both sit on one axis: an SVM
keeps its support vectors, KNN keeps its training samples, a random forest its
tree nodes, a linear model its coefficients, and preprocessing steps (scaler,
PCA) their fitted arrays. Feature extractors are stateless and store nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Per tree node, scikit-learn keeps the two children, the split feature and threshold.
_NODE_STRUCTURE = 4


@dataclass(frozen=True)
class StoredSize:
    """What a fitted model stores: ``values`` numbers, described in words by ``summary``."""

    values: int
    summary: str


def file_bytes(path: str | Path) -> int:
    """Size on disk of a file, in bytes (the sum over a folder's files)."""
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def stored_size(estimator: Any) -> StoredSize:
    """What a fitted scikit-learn estimator or Pipeline stores.

    Returns the number of stored values (the sum over the pipeline's steps) and a
    summary of each step's store, e.g. ``"1,204 support vectors x 900
    features"``, ``"100 trees, 52,310 nodes"``, ``"20,096 training samples x 900
    features"``.
    """
    steps = [step for _, step in estimator.steps] if hasattr(estimator, "steps") else [estimator]
    steps = [step for step in steps if step is not None and step != "passthrough"]
    parts = [_estimator_size(step) for step in steps]
    summaries = [part.summary for part in parts if part.summary]
    return StoredSize(sum(part.values for part in parts), "; ".join(summaries))


def _estimator_size(est: Any) -> StoredSize:
    if hasattr(est, "calibrated_classifiers_"):
        return _calibrated_size(est)
    if hasattr(est, "support_vectors_"):
        return _svm_size(est)
    if _kept_samples(est) is not None:
        return _neighbors_size(est)
    if hasattr(est, "estimators_") and _is_tree(_first(est.estimators_)):
        return _forest_size(est)
    if _is_tree(est):
        nodes, values = _tree_values(est)
        return StoredSize(values, f"1 tree, {nodes:,} nodes")
    if hasattr(est, "coef_"):
        coef = np.asarray(est.coef_)
        values = coef.size + np.size(getattr(est, "intercept_", 0))
        return StoredSize(int(values), f"linear: {' x '.join(f'{n:,}' for n in coef.shape)} coef")
    if hasattr(est, "components_"):
        k, d = np.shape(est.components_)
        return StoredSize(_fitted_array_values(est), f"{type(est).__name__} {d:,} -> {k:,}")
    return StoredSize(_fitted_array_values(est), "")


def _first(items: Any) -> Any:
    items = np.ravel(np.asarray(items, dtype=object))
    return items[0] if len(items) else None


def _is_tree(est: Any) -> bool:
    return hasattr(est, "tree_") and hasattr(est.tree_, "node_count")


def _tree_values(tree_est: Any) -> tuple[int, int]:
    tree = tree_est.tree_
    per_node = _NODE_STRUCTURE + int(np.prod(tree.value.shape[1:]))
    return int(tree.node_count), int(tree.node_count) * per_node


def _forest_size(est: Any) -> StoredSize:
    trees = [t for t in np.ravel(np.asarray(est.estimators_, dtype=object)) if _is_tree(t)]
    counted = [_tree_values(t) for t in trees]
    nodes = sum(n for n, _ in counted)
    values = sum(v for _, v in counted)
    leaves = sum(int(t.tree_.n_leaves) for t in trees)
    return StoredSize(values, f"{len(trees):,} trees, {nodes:,} nodes ({leaves:,} leaves)")


def _svm_size(est: Any) -> StoredSize:
    n_sv, n_features = np.shape(est.support_vectors_)
    values = (
        int(np.size(est.support_vectors_))
        + int(np.size(getattr(est, "dual_coef_", 0)))
        + int(np.size(getattr(est, "intercept_", 0)))
    )
    return StoredSize(values, f"{n_sv:,} support vectors x {n_features:,} features")


def _kept_samples(est: Any) -> np.ndarray | None:
    """The training samples a nearest-neighbour model keeps (scikit-learn's or ours)."""
    for name in ("fit_X_", "_fit_X"):
        kept = getattr(est, name, None)
        if isinstance(kept, np.ndarray) and kept.ndim == 2:
            return kept
    return None


def _neighbors_size(est: Any) -> StoredSize:
    n, d = _kept_samples(est).shape
    return StoredSize(n * d + n, f"{n:,} training samples x {d:,} features kept")


def _calibrated_size(est: Any) -> StoredSize:
    parts = [_estimator_size(c.estimator) for c in est.calibrated_classifiers_]
    values = sum(p.values for p in parts)
    inner = parts[0].summary if parts else ""
    return StoredSize(values, f"{len(parts)} calibrated copies of: {inner}")


def _fitted_array_values(est: Any) -> int:
    """Numbers in the fitted array attributes (trailing underscore) of an estimator."""
    total = 0
    for name, value in vars(est).items():
        if name.endswith("_") and not name.startswith("_") and isinstance(value, np.ndarray):
            if value.dtype != object:
                total += value.size
    return total
