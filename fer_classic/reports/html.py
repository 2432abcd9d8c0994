"""The comparison as one self-contained HTML page, plots embedded, method printed."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .results import Comparison
from .tables import (
    DETAIL_HEADERS,
    LEARNING_HEADERS,
    LEARNING_NOTE,
    MAIN_HEADERS,
    cross_headers,
    cross_notes,
    cross_rows,
    detail_rows,
    f1_rows,
    learning_rows,
    main_rows,
    method_line,
    plain_value,
    render_table,
    significance_tables,
)

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.wide table { width: 100%; }
.wide td { overflow-wrap: anywhere; font-size: 0.95em; }
.notice { background: #fde2e2; border: 2px solid #b00; padding: 0.6em; margin: 0.5em 0;
          font-weight: bold; color: #700; }
.warning { background: #fff4d6; border: 1px solid #c90; padding: 0.5em; margin: 0.5em 0; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #555; }
dl.method dt { font-weight: bold; float: left; clear: left; width: 16em; }
dl.method dd { margin-left: 17em; }
"""

_CAPTIONS = {
    "accuracy_vs_size": (
        "Test accuracy against the model file's size on disk (log scale), with 95 % "
        "bootstrap intervals. The red step line joins the Pareto front: models no other "
        "measured model beats with a smaller file and a higher accuracy. A dashed red ring "
        "marks a model off the front whose accuracy is not significantly below that of a "
        "model on it (exact McNemar test, Holm-corrected). Hollow grey triangles are "
        "literature figures, reported, not measured, and not part of the front."
    ),
    "accuracy_vs_latency": (
        "Test accuracy against the median batch-1 latency per image measured on this machine "
        "(log scale; classical pipelines include feature extraction), with 95 % bootstrap "
        "intervals. The red step line joins the Pareto front; dashed red rings mark models "
        "not significantly below a model on it."
    ),
    "cross_dataset": (
        "Accuracy on each further data set against accuracy on the model's own test split, "
        "with 95 % bootstrap intervals on both axes; the dashed line is equal accuracy."
    ),
    "confusion_matrices": "Confusion matrices on the test split, each row normalized to 1.",
    "per_class_f1": "F1 of each class on the test split.",
    "learning_curves": (
        "Accuracy and loss of each CNN run after every epoch, on the training split (solid; "
        "with augmentation and dropout, as the trainer saw it) and the validation split "
        "(dashed); the grey line marks the epoch of the checkpoint, chosen on validation."
    ),
}


def _table(rows: list[list[str]], headers: Any, text_columns: int | None = None) -> str:
    return render_table(rows, headers, "html", text_columns)


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _method_list(method: Mapping[str, Any]) -> str:
    items = [
        f"<dt>{html.escape(key)}</dt><dd>{html.escape(plain_value(value))}</dd>"
        for key, value in sorted(method.items())
    ]
    return '<dl class="method">' + "".join(items) + "</dl>"


def render_html(comparison: Comparison, plots: Mapping[str, Path]) -> str:
    """The report page; ``plots`` maps plot keys (:data:`~.plots.PLOT_FILES`) to PNG files."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>fer-classic comparison</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>fer-classic comparison: accuracy against model size and inference time</h1>",
        f"<p>Made {esc(comparison.created)}.</p>",
    ]
    parts += [f'<div class="notice">{esc(n)}</div>' for n in comparison.notices]
    parts += [f'<div class="warning">Warning: {esc(w)}</div>' for w in comparison.warnings]
    parts += ["<h2>Models</h2>", _table(main_rows(comparison), MAIN_HEADERS, 3)]
    parts.append(
        "<p>Rows marked <em>reported, not measured</em> are figures from the literature, on "
        "the authors' own splits and protocols; every other row was measured here, on the "
        "same test images.</p>"
    )
    for key, path in plots.items():
        parts.append(
            f'<figure id="{esc(key)}">{_image(path, key.replace("_", " "))}'
            f"<figcaption>{esc(_CAPTIONS.get(key, ''))}</figcaption></figure>"
        )
    f1 = f1_rows(comparison)
    if f1:
        parts += ["<h2>Per-class F1</h2>", _table(f1, ["model", *comparison.class_names], 1)]
    tables = significance_tables(comparison)
    if tables or comparison.not_compared:
        parts.append("<h2>Significance of the differences</h2>")
        for title, headers, rows in tables:
            parts += [f"<p>{esc(title)}</p>", _table(rows, headers, 1)]
        parts += [f'<p class="warning">{esc(line)}</p>' for line in comparison.not_compared]
    if comparison.cross_datasets:
        parts += [
            "<h2>Cross-dataset results</h2>",
            _table(cross_rows(comparison), cross_headers(comparison), 1),
            "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in cross_notes(comparison)),
            "</ul>",
        ]
    if comparison.learning_curves:
        parts += [
            "<h2>Learning of the CNN runs</h2>",
            _table(learning_rows(comparison), LEARNING_HEADERS, 1),
            f"<p>{esc(LEARNING_NOTE)}</p>",
        ]
    parts += [
        "<h2>What each model is</h2>",
        f'<div class="wide">{_table(detail_rows(comparison), DETAIL_HEADERS)}</div>',
    ]
    parts += [
        "<h2>Method</h2>",
        f"<p>{esc(method_line(comparison.method))}</p>",
        "<p>Every time is a wall-clock measurement (time.perf_counter) of the model's own "
        "predict call on test images, never an estimate. For a classical pipeline the call "
        "starts from the uint8 48x48 image, so feature extraction is included; for a network "
        "it includes the scaling of the input. Accuracy, macro-F1 and the confusion matrices "
        "come from the same pass over the whole test split that gives the throughput.</p>",
        _method_list(comparison.method),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
