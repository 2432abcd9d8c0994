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

from ..uncertainty import significance_matrix
from .results import Comparison, ModelResult

MAIN_HEADERS = (
    "model",
    "what",
    "status",
    "accuracy % [95 % CI]",
    "macro-F1 [95 % CI]",
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


def percent_with_interval(value: float | None, interval: Sequence[float] | None) -> str:
    """A fraction as a percentage with its interval: ``61.52 [59.93, 63.08]``."""
    if value is None:
        return "-"
    if not interval:
        return f"{100 * value:.2f}"
    return f"{100 * value:.2f} [{100 * interval[0]:.2f}, {100 * interval[1]:.2f}]"


def fraction_with_interval(value: float | None, interval: Sequence[float] | None) -> str:
    """A fraction with its interval: ``0.612 [0.597, 0.628]``."""
    if value is None:
        return "-"
    if not interval:
        return f"{value:.3f}"
    return f"{value:.3f} [{interval[0]:.3f}, {interval[1]:.3f}]"


#: What a row of a seed group starts with, under the group's row.
SEED_MEMBER_MARK = "  · "


def _model_row(m: ModelResult, name: str) -> list[str]:
    latency = "-"
    if m.latency_median_ms is not None:
        latency = f"{_ms(m.latency_median_ms)} / {_ms(m.latency_p95_ms)}"
    return [
        name,
        m.summary or m.description,
        status(m),
        percent_with_interval(m.accuracy, m.accuracy_ci),
        fraction_with_interval(m.macro_f1, m.macro_f1_ci),
        "-" if m.parameters is None else f"{m.parameters:,}",
        format_bytes(m.model_bytes),
        latency,
        _fmt(m.throughput_per_s, ",.0f"),
        format_seconds(m.training_seconds),
    ]


def _group_row(group: dict[str, Any]) -> list[str]:
    seeds = ", ".join(str(seed) for seed in group["seeds"])
    return [
        group["name"],
        f"mean ± std over seeds {seeds}",
        f"{group['n']} runs",
        f"{100 * group['accuracy_mean']:.2f} ± {100 * group['accuracy_std']:.2f}",
        f"{group['macro_f1_mean']:.3f} ± {group['macro_f1_std']:.3f}",
        *["-"] * 5,
    ]


def main_rows(comparison: Comparison) -> list[list[str]]:
    """One row per model (measured first, then literature) under :data:`MAIN_HEADERS`.

    Runs that differ only in their seed (:attr:`Comparison.seed_groups`) get one
    row of their mean and standard deviation, with their own rows below it.
    """
    first_of = {g["members"][0]: g for g in comparison.seed_groups}
    grouped = {name for g in comparison.seed_groups for name in g["members"]}
    rows = []
    for m in [*comparison.models, *comparison.literature]:
        if m.name in first_of:
            rows.append(_group_row(first_of[m.name]))
        rows.append(_model_row(m, SEED_MEMBER_MARK + m.name if m.name in grouped else m.name))
    return rows


def significance_tables(comparison: Comparison) -> list[tuple[str, list[str], list[list[str]]]]:
    """Per set of test images, the Holm-adjusted McNemar p-values of every pair.

    Returns ``(title, headers, rows)`` tuples: rows and columns are the models, a
    cell the p-value, ``*`` marking the pairs whose difference is significant.
    """
    tables = []
    for group in comparison.significance:
        names = group["names"]
        matrix = significance_matrix(group)
        alpha = group["alpha"]
        rows = [
            [name, *("-" if p is None else f"{p:.3g}{' *' if p < alpha else ''}" for p in row)]
            for name, row in zip(names, matrix, strict=True)
        ]
        title = f"{group['test_split']}: {group['method']}; * p < {alpha}"
        headers = ["", *(str(i + 1) for i in range(len(names)))]
        rows = [[f"{i + 1}. {row[0]}", *row[1:]] for i, row in enumerate(rows)]
        tables.append((title, headers, rows))
    return tables


def cross_headers(comparison: Comparison) -> list[str]:
    """Columns of :func:`cross_rows`."""
    headers = ["model", "own test accuracy %"]
    for data in comparison.cross_datasets:
        headers += [f"{data['label']} accuracy %", f"{data['label']} macro-F1"]
    return headers


def cross_rows(comparison: Comparison) -> list[list[str]]:
    """Each measured model's accuracy on its own test split and on each further data set."""
    rows = []
    for m in comparison.models:
        row = [m.name, percent_with_interval(m.accuracy, m.accuracy_ci)]
        for data in comparison.cross_datasets:
            found = m.cross.get(data["label"])
            if found is None:
                row += ["-", "-"]
                continue
            seen = f" ({found['seen']})" if found.get("seen") else ""
            row += [
                percent_with_interval(found["accuracy"], found["accuracy_ci"]) + seen,
                fraction_with_interval(found["macro_f1"], found["macro_f1_ci"]),
            ]
        rows.append(row)
    return rows


def cross_notes(comparison: Comparison) -> list[str]:
    """One line per further data set: what it is, what it lacks, what was dropped."""
    lines = []
    for data in comparison.cross_datasets:
        line = f"{data['label']}: {data['n']} images of {data['source']} ({data['part']})"
        if data["absent"]:
            line += f"; no {', '.join(data['absent'])} images: macro-F1 over the classes present"
        if data["dropped"]:
            dropped = ", ".join(f"{n} {why}" for why, n in data["dropped"].items())
            line += f"; dropped {dropped}"
        for seen, what in (("trained on", "fitted on"), ("selected on", "chosen on")):
            names = [m.name for m in comparison.models
                     if (m.cross.get(data["label"]) or {}).get("seen") == seen]  # fmt: skip
            if names:
                line += (
                    f"; {seen}: {', '.join(names)} (their model or checkpoint was {what} "
                    "these images, so their score here is no held-out test)"
                )
        lines.append(line)
    return lines


#: Columns of :func:`learning_rows`.
LEARNING_HEADERS = (
    "CNN run", "epochs (best)", "after epoch 1: accuracy % train / val",
    "loss train / val", "MCR accuracy % / epoch", "MCR loss / epoch",
    "MOFR accuracy % / epoch", "MOFR loss / epoch",
)  # fmt: skip


def learning_rows(comparison: Comparison) -> list[list[str]]:
    """Seed 002's figures of each CNN run, its rates over all its epochs."""
    rows = []
    for curve in comparison.learning_curves:
        rates, initial = curve["rates"], curve["rates"]["initial"]
        best = curve.get("best_epoch")
        rows.append(
            [
                curve["run"],
                f"{curve['epochs']} ({best if best is not None else '-'})",
                f"{100 * initial['accuracy']:.2f} / {100 * initial['val_accuracy']:.2f}",
                f"{initial['loss']:.3f} / {initial['val_loss']:.3f}",
                _rate(rates["mcr"]["accuracy"]["all"], 100),
                _rate(rates["mcr"]["loss"]["all"]),
                _rate(rates["mofr"]["accuracy"]["all"], 100),
                _rate(rates["mofr"]["loss"]["all"]),
            ]
        )
    return rows


def _rate(value: float | None, scale: float = 1.0) -> str:
    return "-" if value is None else f"{scale * value:+.4f}"


#: What the learning table's rates are, for every output that shows it.
LEARNING_NOTE = (
    "Seed 002's rates (Smelyakov et al. 2022): MCR is the mean change per epoch of the "
    "training figure, MOFR that of training minus validation, both over every epoch the run "
    "trained; accuracy in percentage points. Per five-epoch window in comparison.json."
)


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
                m.protocol or "-",
                "; ".join(m.notes) or "-",
            ]
        )
    return rows


DETAIL_HEADERS = ("model", "features + classifier / architecture", "stores", "files",
                  "test split", "source", "protocol", "notes")  # fmt: skip


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
    if comparison.cross_datasets:
        lines += ["", "Cross-dataset accuracy and macro-F1 [95 % CI]:"]
        lines.append(render_table(cross_rows(comparison), cross_headers(comparison), "simple", 1))
        lines += cross_notes(comparison)
    if comparison.learning_curves:
        lines += ["", "Learning of the CNN runs:"]
        lines.append(render_table(learning_rows(comparison), LEARNING_HEADERS, "simple", 1))
        lines.append(LEARNING_NOTE)
    if comparison.not_compared:
        lines += ["", *comparison.not_compared]
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
        + _uncertainty_sentence(method.get("uncertainty"))
    )


def _uncertainty_sentence(uncertainty: dict[str, Any] | None) -> str:
    if not uncertainty:
        return ""
    return (
        f" Intervals: {uncertainty['intervals']} ({uncertainty['paired']}). Significance: "
        f"{uncertainty['significance']}."
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
    out += _markdown_significance(comparison)
    if comparison.cross_datasets:
        out += ["## Cross-dataset results", ""]
        headers = [markdown_text(h) for h in cross_headers(comparison)]
        out += [render_table(_markdown_rows(cross_rows(comparison)), headers, "github", 1), ""]
        out += [f"- {markdown_text(line)}" for line in cross_notes(comparison)] + [""]
    if comparison.learning_curves:
        out += ["## Learning of the CNN runs", ""]
        headers = [markdown_text(h) for h in LEARNING_HEADERS]
        out += [render_table(_markdown_rows(learning_rows(comparison)), headers, "github", 1)]
        out += ["", markdown_text(LEARNING_NOTE), ""]
    out += ["## Models", ""]
    out += [render_table(_markdown_rows(detail_rows(comparison)), DETAIL_HEADERS, "github"), ""]
    out += ["## Method", "", markdown_text(method_line(comparison.method)), ""]
    out += [
        f"- {markdown_text(key)}: {markdown_text(plain_value(value))}"
        for key, value in sorted(comparison.method.items())
    ]
    return "\n".join(out) + "\n"


def _markdown_significance(comparison: Comparison) -> list[str]:
    tables = significance_tables(comparison)
    if not tables and not comparison.not_compared:
        return []
    out = ["## Significance of the differences", ""]
    for title, headers, rows in tables:
        out += [markdown_text(title), ""]
        out += [render_table(_markdown_rows(rows), headers, "github", 1), ""]
    out += [f"- {markdown_text(line)}" for line in comparison.not_compared]
    return [*out, ""] if comparison.not_compared else out


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
    "accuracy_ci_low", "accuracy_ci_high", "macro_f1", "macro_f1_ci_low", "macro_f1_ci_high",
    "seed", "protocol",
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
        for key in ("accuracy", "macro_f1"):
            interval = row[f"{key}_ci"] or (None, None)
            row[f"{key}_ci_low"], row[f"{key}_ci_high"] = interval
        values = ["" if row[f] is None else row[f] for f in CSV_FIELDS]
        f1 = m.per_class_f1 or {}
        writer.writerow([*values, *(f1.get(c, "") for c in class_names)])
    return buffer.getvalue()


def json_text(comparison: Comparison) -> str:
    """The comparison as indented JSON (notices and warnings first)."""
    return json.dumps(comparison.to_dict(), indent=2) + "\n"
