"""Comparison reports: accuracy against model size and inference time.

:func:`measure_runs` reads classical and CNN run directories and measures every
model on the same test images on this machine (scores, size, batch-1 latency,
throughput), with the ``fer`` peer and literature rows; :func:`write_report`
writes a terminal table, Markdown, CSV, JSON, PNG plots and an HTML report;
:func:`compare`, what ``fer-classic compare`` calls, does both.

Modules: ``runs_reader`` (run directories), ``test_data`` (their test images),
``machine`` (CPU and threads), ``latency`` and ``measure`` (timing and scoring),
``size`` (model files on disk), ``peers``, ``literature``, ``results`` (the data),
``tables``, ``plots``, ``html`` (the outputs), ``compare`` (the whole).
"""

from .compare import OUTPUT_FILES, compare, measure_runs, write_report
from .literature import literature_rows
from .results import Comparison, ModelResult
from .runs_reader import Run, check_test_splits, read_run, read_runs

__all__ = [
    "OUTPUT_FILES",
    "Comparison",
    "ModelResult",
    "Run",
    "check_test_splits",
    "compare",
    "literature_rows",
    "measure_runs",
    "read_run",
    "read_runs",
    "write_report",
]
