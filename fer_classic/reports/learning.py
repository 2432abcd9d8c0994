"""The learning curves of a comparison's CNN runs and seed 002's rates of them.

For every CNN run: its per-epoch training and validation accuracy and loss
(``history.csv``) and seed 002's metrics of them
(:func:`fer_classic.cnn.convergence.learning_metrics`), as the run recorded them in
``metrics.json`` or, for runs that did not, computed from its history.
"""

from __future__ import annotations

from typing import Any

from ..cnn.convergence import METRIC_COLUMNS, learning_metrics
from ..runs import HISTORY, read_history
from .runs_reader import Run

#: The per-epoch columns a learning curve keeps.
CURVE_COLUMNS = ("epoch", *(column for pair in METRIC_COLUMNS.values() for column in pair))


def learning_curve(run: Run) -> dict[str, Any] | None:
    """The learning curve of a CNN run; None for other runs and runs with no history.

    Returns
    -------
    dict or None
        ``run`` (its name), ``epochs`` (done), ``best_epoch`` (the checkpoint's),
        ``history`` (one dict per epoch with :data:`CURVE_COLUMNS`) and ``rates``
        (seed 002's metrics).
    """
    path = run.path / HISTORY
    if run.kind != "cnn" or not path.exists():
        return None
    epochs = run.metrics.get("epochs_done")
    rows = read_history(path, int(epochs)) if isinstance(epochs, int) else []
    if not rows:
        return None
    history = [{column: row[column] for column in CURVE_COLUMNS} for row in rows]
    rates = run.metrics.get("learning") or learning_metrics(rows)
    return {
        "run": run.name,
        "epochs": len(history),
        "best_epoch": run.metrics.get("best_epoch"),
        "history": history,
        "rates": rates,
    }
