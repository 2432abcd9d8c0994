"""The comparison as tables: terminal text, Markdown, CSV and JSON.

Every output starts with the comparison's notices and warnings (synthetic data,
mixed test splits, problems found in the runs), so that no table travels without
them. Literature rows sit in the same tables, marked "reported, not measured".
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from .results import Comparison, ModelResult

MAIN_HEADERS = (
    "model",
    "what",
    "status",
    "accuracy %",
    "macro-F1",
    "parameters / stored values",
    "model file",
    "latency ms (median / p95)",
    "images/s",
    "training",
)


def render_table(
    rows: list[list[str]], headers: Sequence[str], tablefmt: str, text_columns: int | None = None
) -> str:
    """Rows of formatted strings as a tabulate table, kept as they are (no number parsing).

    The first ``text_columns`` columns are left-aligned and the others, figures,
    right-aligned; None aligns every column left.
    """
    colalign = None
    if text_columns is not None:
        colalign = ["left"] * text_columns + ["right"] * (len(headers) - text_columns)
    return tabulate(
        rows, headers=list(headers), tablefmt=tablefmt, disable_numparse=True, colalign=colalign
    )


def format_bytes(n: int | None) -> str:
    """Bytes in decimal units: ``5.26 MB`` (1 MB = 10^6 bytes)."""
    if n is None:
        return "-"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}" if n < 100 * scale else f"{n / scale:.0f} {unit}"
    return f"{n} B"


def format_seconds(seconds: float | None) -> str:
    """A duration as ``42 s``, ``12.5 min`` or ``3.2 h``."""
    if seconds is None:
        return "-"
    if seconds < 100:
        return f"{seconds:.3g} s"
    if seconds < 6000:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def status(model: ModelResult) -> str:
    """``measured``, ``measured, trained elsewhere`` or ``reported, not measured``."""
    if not model.measured:
        return "reported, not measured"
    return "measured, trained elsewhere" if model.origin == "peer" else "measured"


def main_rows(comparison: Comparison) -> list[list[str]]:
    """One row per model (measured first, then literature) under :data:`MAIN_HEADERS`."""
    rows = []
    for m in [*comparison.models, *comparison.literature]:
        latency = "-"
        if m.latency_median_ms is not None:
            latency = f"{_ms(m.latency_median_ms)} / {_ms(m.latency_p95_ms)}"
        rows.append(
            [
                m.name,
                m.summary or m.description,
                status(m),
                _fmt(None if m.accuracy is None else 100 * m.accuracy, ".2f"),
                _fmt(m.macro_f1, ".3f"),
                "-" if m.parameters is None else f"{m.parameters:,}",
                format_bytes(m.model_bytes),
                latency,
                _fmt(m.throughput_per_s, ",.0f"),
                format_seconds(m.training_seconds),
            ]
        )
    return rows


def detail_rows(comparison: Comparison) -> list[list[str]]:
    """What each model is: description, what it stores, files, test split, source, notes."""
    rows = []
    for m in [*comparison.models, *comparison.literature]:
        files = [f"{m.model_file} {format_bytes(m.model_bytes)}"] if m.model_file else []
        files += [f"{name} {format_bytes(size)}" for name, size in m.other_files.items()]
        rows.append(
            [
                m.name,
                m.description,
                m.stored or "-",
                ", ".join(files) or "-",
                m.test_split or "-",
                m.source,
                "; ".join(m.notes) or "-",
            ]
        )
    return rows


DETAIL_HEADERS = ("model", "features + classifier / architecture", "stores", "files",
                  "test split", "source", "notes")  # fmt: skip


def f1_rows(comparison: Comparison) -> list[list[str]]:
    """Per-class F1 of each measured model, one column per class."""
    return [
        [m.name, *(f"{m.per_class_f1[c]:.3f}" for c in comparison.class_names)]
        for m in comparison.models
        if m.per_class_f1
    ]


def _alert_lines(comparison: Comparison, prefix: str) -> list[str]:
    return [f"{prefix}{alert}" for alert in comparison.alerts]


def terminal_table(comparison: Comparison) -> str:
    """The main table for a terminal, with the notices and warnings above it."""
    lines = _alert_lines(comparison, "!! ")
    if lines:
        lines.append("")
    lines.append(render_table(main_rows(comparison), MAIN_HEADERS, "simple", 3))
    lines.append("")
    lines.append(method_line(comparison.method))
    return "\n".join(lines) + "\n"


def method_line(method: dict[str, Any]) -> str:
    """The measuring method in a few sentences."""
    batch = method.get("batch_size")
    return (
        f"Latency: batch 1, {method.get('latency_images')} test images each predicted once "
        f"and timed, after {method.get('warmup')} untimed warm-up calls; median and 95th "
        f"percentile. Throughput: one pass over the test split in batches of {batch}, every "
        f"full batch timed (at least 3, the test images cycled when fewer), after one "
        f"untimed warm-up batch. {method.get('threads')} thread(s) on {method.get('cpu')} "
        f"({method.get('usable_cores')} usable of {method.get('os_cpu_count')} cores). "
        "Model file sizes in decimal units (1 MB = 10^6 bytes)."
    )


#: Characters that Markdown reads as formatting or as a table's column separator.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def markdown_text(text: str) -> str:
    """``text`` with Markdown's special characters escaped, for a table cell or a line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _markdown_rows(rows: list[list[str]]) -> list[list[str]]:
    return [[markdown_text(cell) for cell in row] for row in rows]


def markdown(comparison: Comparison) -> str:
    """The whole comparison as Markdown: notices, main, per-class F1, details, method.

    Names and texts are escaped, so that a run named ``a|b`` or ``*x*`` reads as itself.
    """
    out = ["# fer-classic comparison", ""]
    out += [f"> **{markdown_text(alert)}**" + "\n" for alert in comparison.alerts]
    out += [render_table(_markdown_rows(main_rows(comparison)), MAIN_HEADERS, "github", 3), ""]
    f1 = f1_rows(comparison)
    if f1:
        out += ["## Per-class F1 (measured models)", ""]
        headers = ["model", *map(markdown_text, comparison.class_names)]
        out += [render_table(_markdown_rows(f1), headers, "github", 1), ""]
    out += ["## Models", ""]
    out += [render_table(_markdown_rows(detail_rows(comparison)), DETAIL_HEADERS, "github"), ""]
    out += ["## Method", "", markdown_text(method_line(comparison.method)), ""]
    out += [
        f"- {markdown_text(key)}: {markdown_text(plain_value(value))}"
        for key, value in sorted(comparison.method.items())
    ]
    return "\n".join(out) + "\n"


def plain_value(value: Any) -> str:
    """A method value as text: mappings and lists joined, empty as ``-``."""
    if isinstance(value, dict):
        value = ", ".join(f"{k} {v}" for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    return "-" if value in ("", None) else str(value)


#: Columns of the CSV, before one ``f1_<class>`` column per class.
CSV_FIELDS = (
    "name", "status", "origin", "kind", "variant", "summary", "description", "accuracy",
    "macro_f1",
    "parameters", "stored", "model_file", "model_bytes", "other_files", "latency_median_ms",
    "latency_p95_ms", "latency_images", "throughput_per_s", "throughput_batch",
    "training_seconds", "test_split", "test_fingerprint", "synthetic", "source", "notes",
    "alerts",
)  # fmt: skip


def csv_text(comparison: Comparison) -> str:
    """One CSV row per model; the ``alerts`` column repeats the notices on every row."""
    class_names: Sequence[str] = comparison.class_names
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_FIELDS, *(f"f1_{c}" for c in class_names)])
    alerts = " | ".join(comparison.alerts)
    for m in [*comparison.models, *comparison.literature]:
        row = m.to_dict()
        row["status"] = status(m)
        row["notes"] = "; ".join(m.notes)
        row["other_files"] = "; ".join(f"{k}={v}" for k, v in m.other_files.items())
        row["alerts"] = alerts
        values = ["" if row[f] is None else row[f] for f in CSV_FIELDS]
        f1 = m.per_class_f1 or {}
        writer.writerow([*values, *(f1.get(c, "") for c in class_names)])
    return buffer.getvalue()


def json_text(comparison: Comparison) -> str:
    """The comparison as indented JSON (notices and warnings first)."""
    return json.dumps(comparison.to_dict(), indent=2) + "\n"
